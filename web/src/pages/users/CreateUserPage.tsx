import {
  Alert,
  Avatar,
  Box,
  Button,
  FileButton,
  Grid,
  Group,
  Paper,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPhoto, IconTrash } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { useNavigate } from "react-router";
import { fieldErrorsOf, runProcess } from "../../api/client";
import type { User } from "../../api/types";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";

const maxPhotoBytes = 1024 * 1024;

const emptyForm = {
  firstName: "",
  lastName: "",
  email: "",
  identifier: "",
  organizationalUnit: "",
  organization: "",
  title: "",
  upn: "",
  address: "",
};
type Form = typeof emptyForm;

/** A text box of the form; `span` of 12 columns on wider screens. */
interface TextFieldSpec {
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
];

const organizationFields: TextFieldSpec[] = [
  { name: "organization", label: "Organization", span: 4 },
  { name: "organizationalUnit", label: "Organizational unit", span: 4 },
  { name: "title", label: "Title", span: 4 },
  {
    name: "upn",
    label: "User principal name",
    description: "For Windows smart-card logon, e.g. name@corp.example.",
  },
];

function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(new Error("The photo could not be read."));
    reader.readAsDataURL(file);
  });
}

/** The body of UsersProcCreate: optional fields left out when empty. */
async function bodyOf(form: Form, photo: File | null) {
  const address = form.address
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return {
    firstName: form.firstName,
    lastName: form.lastName,
    email: form.email,
    identifier: form.identifier,
    ...(form.organizationalUnit.trim() && { organizationalUnit: form.organizationalUnit }),
    ...(form.organization.trim() && { organization: form.organization }),
    ...(form.title.trim() && { title: form.title }),
    ...(form.upn.trim() && { upn: form.upn.trim() }),
    ...(address.length > 0 && { address }),
    ...(photo && { photo: await readAsBase64(photo) }),
  };
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

export default function CreateUserPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<Form>(emptyForm);
  const [photo, setPhoto] = useState<File | null>(null);
  const [photoError, setPhotoError] = useState<string | undefined>();

  const create = useMutation({
    mutationFn: async () => runProcess<{ user: User }>("UsersProcCreate", await bodyOf(form, photo)),
    onSuccess: ({ user }) => {
      void queryClient.invalidateQueries({ queryKey: ["users"] });
      notifications.show({
        color: "green",
        title: "User created",
        message: `${user.firstName} ${user.lastName} is registered.`,
      });
      navigate(`/users/${user.id}`);
    },
  });
  const errors = fieldErrorsOf(create.error);
  const hasFieldErrors = Object.keys(errors).length > 0;

  function choosePhoto(file: File | null) {
    create.reset();
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

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!photoError) create.mutate();
  }

  return (
    <>
      <PageHeader
        title="Create user"
        trail={[{ label: "Users", to: "/users" }]}
        description="Register a person so that cards can be requested for them. Fields marked * are required."
      />
      <form onSubmit={submit} noValidate>
        <Paper p="lg" maw={960}>
          <Stack gap="md">
            {hasFieldErrors && (
              <Alert color="red" variant="light" role="alert" title="Some fields need a correction">
                The marked fields below say what to change.
              </Alert>
            )}
            {create.error && !hasFieldErrors && (
              <ErrorAlert error={create.error} title="The user was not created" />
            )}
            <Grid gap="lg">
              <Grid.Col span={{ base: 12, md: 9 }}>
                <Title order={2} fz="sm" c="dimmed" tt="uppercase" mb="xs">
                  Person
                </Title>
                <Grid gap="sm">{personFields.map(textField)}</Grid>
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
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={() => navigate("/users")}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending}>
                Create user
              </Button>
            </Group>
          </Stack>
        </Paper>
      </form>
    </>
  );
}
