import {
  Alert,
  Avatar,
  Box,
  Button,
  FileButton,
  Grid,
  Group,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { IconPhoto, IconTrash } from "@tabler/icons-react";
import { useEffect, useState } from "react";
import { fieldErrorsOf } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";

/**
 * The fields of a person, as Create user and Edit user both show them: the same boxes, the same
 * photo checks before upload, the same layout. Only the identifier is Create's alone (it names
 * the person in certificates and is never edited).
 */
const maxPhotoBytes = 1024 * 1024;

export const emptyForm = {
  firstName: "",
  lastName: "",
  email: "",
  identifier: "",
  organizationalUnit: "",
  organization: "",
  title: "",
  upn: "",
  sid: "",
  nameOnCard: "",
  address: "",
};
export type Form = typeof emptyForm;

/** A text box of the form; `span` of 12 columns on wider screens. */
export interface TextFieldSpec {
  name: keyof Form;
  label: string;
  description?: string;
  required?: boolean;
  type?: "email";
  autoComplete?: "off";
  span?: number;
}

/** The person: required, and never filled in by the browser from the operator's own details. */
const personFields: TextFieldSpec[] = [
  { name: "firstName", label: "First name", required: true, autoComplete: "off" },
  { name: "lastName", label: "Last name", required: true, autoComplete: "off" },
  { name: "email", label: "E-mail", required: true, type: "email", autoComplete: "off" },
  {
    name: "identifier",
    label: "Identifier",
    description: "Employee or citizen number; unique in Tessera.",
    required: true,
    autoComplete: "off",
  },
  {
    name: "nameOnCard",
    label: "Name on card",
    description:
      "Printed on the card and in its certificates instead of the full name, when that is longer than 64 characters or has letters the card cannot print. Leave empty to print the full name.",
    autoComplete: "off",
    span: 12,
  },
];

const organizationFields: TextFieldSpec[] = [
  { name: "organization", label: "Organization", span: 4 },
  { name: "organizationalUnit", label: "Organizational unit", span: 4 },
  { name: "title", label: "Title", span: 4 },
  {
    name: "upn",
    label: "User principal name",
    description: "For Windows smart-card logon, e.g. name@corp.example.",
    autoComplete: "off",
  },
  {
    name: "sid",
    label: "Windows SID",
    description: "The account's security identifier, S-1-5-21-…; domain controllers map logon cards by it.",
    autoComplete: "off",
  },
];

export function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(new Error("The photo could not be read."));
    reader.readAsDataURL(file);
  });
}

function PhotoField({
  photo,
  onChange,
  error,
}: {
  photo: File | null;
  onChange(file: File | null): void;
  error?: string;
}) {
  const [preview, setPreview] = useState<string | undefined>();
  useEffect(() => {
    if (!photo) return setPreview(undefined);
    const url = URL.createObjectURL(photo);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [photo]);
  return (
    <Stack gap={6} align="center">
      <Text size="sm" fw={500} id="photo-label">
        Photo
      </Text>
      <Box
        w={132}
        h={168}
        style={{
          borderRadius: 8,
          border: `1px ${preview ? "solid" : "dashed"} ${error ? "var(--mantine-color-red-7)" : "var(--mantine-color-gray-4)"}`,
          overflow: "hidden",
          background: "#f8f9fb",
          display: "grid",
          placeItems: "center",
        }}
      >
        {preview ? (
          <img
            src={preview}
            alt="Portrait to upload"
            style={{ width: "100%", height: "100%", objectFit: "cover" }}
          />
        ) : (
          <Avatar size={64} radius="xl" color="gray" aria-hidden>
            <IconPhoto size={28} />
          </Avatar>
        )}
      </Box>
      <Group gap={6}>
        <FileButton onChange={onChange} accept="image/jpeg,image/png">
          {(props) => (
            <Button {...props} variant="default" size="xs" aria-describedby="photo-hint">
              {photo ? "Choose another" : "Choose a photo"}
            </Button>
          )}
        </FileButton>
        {photo && (
          <Button
            variant="subtle"
            color="red"
            size="xs"
            onClick={() => onChange(null)}
            leftSection={<IconTrash size={14} aria-hidden />}
          >
            Remove
          </Button>
        )}
      </Group>
      <Text size="xs" c="dimmed" ta="center" id="photo-hint" maw={180}>
        JPEG or PNG, at most 1 MB. It is printed on the card face.
      </Text>
      {error && (
        <Text size="xs" c="red.8" ta="center" maw={180} role="alert">
          {error}
        </Text>
      )}
    </Stack>
  );
}

/** The postal address box's lines, blank ones left out. */
export function addressLinesOf(form: Form): string[] {
  return form.address
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * The state of a person form: the text fields, and a photo checked for size and type before it
 * is sent (the server checks its content again). `onChange` runs on every change, so that an
 * earlier refusal stops showing.
 */
export function useUserForm(initial: Form, onChange: () => void) {
  const [form, setForm] = useState<Form>(initial);
  const [photo, setPhoto] = useState<File | null>(null);
  const [photoError, setPhotoError] = useState<string | undefined>();

  function choosePhoto(file: File | null) {
    onChange();
    if (file && file.size > maxPhotoBytes) {
      setPhotoError(`The photo is ${(file.size / 1024 / 1024).toFixed(1)} MB; it must be at most 1 MB.`);
      return;
    }
    if (file && !["image/jpeg", "image/png"].includes(file.type)) {
      setPhotoError("The photo must be a JPEG or PNG image.");
      return;
    }
    setPhotoError(undefined);
    setPhoto(file);
  }

  return { form, setForm, photo, photoError, choosePhoto };
}

type UserFormState = ReturnType<typeof useUserForm>;

/** The boxes of a person form, laid out; `errors` are the server's sentences by field. */
export function UserFormFields({
  state,
  error,
  failureTitle,
  withIdentifier,
}: {
  state: UserFormState;
  /** The server's refusal of the last submission, if any: next to its field, or on top. */
  error: unknown;
  failureTitle: string;
  /** Create asks for the identifier; an edit keeps it. */
  withIdentifier: boolean;
}) {
  const { form, setForm, photo, photoError, choosePhoto } = state;
  const errors = fieldErrorsOf(error);
  const hasFieldErrors = Object.keys(errors).length > 0;
  const field = (name: keyof Form) => ({
    value: form[name],
    onChange: (event: { currentTarget: { value: string } }) =>
      setForm({ ...form, [name]: event.currentTarget.value }),
    error: errors[name],
    name,
  });
  const textField = ({ name, span = 6, ...input }: TextFieldSpec) => (
    <Grid.Col key={name} span={{ base: 12, sm: span }}>
      <TextInput {...input} {...field(name)} />
    </Grid.Col>
  );
  return (
    <>
      {hasFieldErrors && (
        <Alert color="red" variant="light" role="alert" title="Some fields need a correction">
          The marked fields below say what to change.
        </Alert>
      )}
      {Boolean(error) && !hasFieldErrors && <ErrorAlert error={error} title={failureTitle} />}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 9 }}>
          <Title order={2} fz="sm" c="dimmed" tt="uppercase" mb="xs">
            Person
          </Title>
          <Grid gap="sm">
            {personFields.filter((spec) => withIdentifier || spec.name !== "identifier").map(textField)}
          </Grid>
          <Title order={2} fz="sm" c="dimmed" tt="uppercase" mt="lg" mb="xs">
            Organization
          </Title>
          <Grid gap="sm">
            {organizationFields.map(textField)}
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <Textarea
                label="Postal address"
                description="For the PIN letter: one line per row, at most 5."
                autosize
                minRows={3}
                maxRows={5}
                {...field("address")}
              />
            </Grid.Col>
          </Grid>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 3 }}>
          <PhotoField photo={photo} onChange={choosePhoto} error={photoError ?? errors.photo} />
        </Grid.Col>
      </Grid>
    </>
  );
}
