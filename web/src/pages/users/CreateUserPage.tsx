import { Button, Group, Paper, Stack } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { useNavigate } from "react-router";
import { runProcess } from "../../api/client";
import { PageHeader } from "../../components/PageHeader";
import { addressLinesOf, emptyForm, type Form, readAsBase64, UserFormFields, useUserForm } from "./user-form";

/** The body of UsersProcCreate: optional fields left out when empty. */
async function bodyOf(form: Form, photo: File | null) {
  const address = addressLinesOf(form);
  return {
    firstName: form.firstName,
    lastName: form.lastName,
    email: form.email,
    identifier: form.identifier,
    ...(form.organizationalUnit.trim() && { organizationalUnit: form.organizationalUnit }),
    ...(form.organization.trim() && { organization: form.organization }),
    ...(form.title.trim() && { title: form.title }),
    ...(form.upn.trim() && { upn: form.upn.trim() }),
    ...(form.sid.trim() && { sid: form.sid.trim() }),
    ...(form.nameOnCard.trim() && { nameOnCard: form.nameOnCard.trim() }),
    ...(address.length > 0 && { address }),
    ...(photo && { photo: await readAsBase64(photo) }),
  };
}

export default function CreateUserPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const state = useUserForm(emptyForm, () => create.reset());
  const { form, photo, photoError } = state;

  const create = useMutation({
    mutationFn: async () => runProcess("UsersProcCreate", await bodyOf(form, photo)),
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
            <UserFormFields
              state={state}
              error={create.error}
              failureTitle="The user was not created"
              withIdentifier
            />
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
