"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Plus, X } from "lucide-react";
import { useRouter } from "next/navigation";
import { useFieldArray, useForm } from "react-hook-form";

import { ApiProblem, applyProblem } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";

import { type Contact, useCreateContact, useEditContact } from "./hooks";
import { contactSchema, type ContactValues, fieldValue, parseTags } from "./schemas";

const FORM_FIELDS = [
  "phone",
  "first_name",
  "last_name",
  "email",
  "timezone",
  "tags",
  "fields",
] as const;

function initial(contact: Contact | null): ContactValues {
  return {
    phone: contact?.phone ?? "",
    first_name: contact?.first_name ?? "",
    last_name: contact?.last_name ?? "",
    email: contact?.email ?? "",
    timezone: contact?.timezone ?? "",
    tags: contact?.tags.join(", ") ?? "",
    fields: Object.entries(contact?.fields ?? {}).map(([key, value]) => ({
      key,
      value: String(value),
    })),
  };
}

/** Create a contact, or edit one (`contact`); the dialog stays open with what was typed when
 * the API refuses, the problem next to its field. */
export function ContactFormDialog({
  contact,
  onClose,
}: {
  contact: Contact | null;
  onClose: () => void;
}) {
  const router = useRouter();
  const create = useCreateContact();
  const update = useEditContact(contact?.id ?? "");
  const form = useForm<ContactValues>({
    resolver: zodResolver(contactSchema),
    defaultValues: initial(contact),
    mode: "onTouched",
  });
  const fields = useFieldArray({ control: form.control, name: "fields" });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    const custom: Record<string, string | number | boolean | null> = {};
    for (const f of values.fields) custom[f.key.trim()] = fieldValue(f.value);
    const common = {
      phone: values.phone.trim(),
      first_name: values.first_name.trim() || null,
      last_name: values.last_name.trim() || null,
      email: values.email.trim() || null,
      timezone: values.timezone.trim() || null,
    };
    try {
      if (contact) {
        for (const key of Object.keys(contact.fields)) if (!(key in custom)) custom[key] = null;
        await update.mutateAsync({
          patch: { ...common, fields: custom },
          tags: parseTags(values.tags),
          before: contact.tags,
        });
        toast.success("Contact saved");
        onClose();
      } else {
        const created = await create.mutateAsync({
          ...common,
          fields: custom as Record<string, string | number | boolean>,
          tags: parseTags(values.tags),
        });
        toast.success("Contact created");
        onClose();
        router.push(`/contacts/view?id=${created.id}`);
      }
    } catch (error) {
      const placed = applyProblem(form, error, {
        fields: FORM_FIELDS,
        slugs: { "duplicate-contact": "phone" },
      });
      if (
        error instanceof ApiProblem &&
        error.slug === "duplicate-contact" &&
        placed.includes("phone")
      ) {
        form.setError("phone", {
          type: "server",
          message: "A contact with this phone number exists.",
        });
      }
    }
  });

  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        title={contact ? "Edit contact" : "New contact"}
        description="The phone number is stored in E.164; a number without a country code uses your workspace's country."
        className="max-w-xl"
      >
        <form onSubmit={onSubmit} noValidate className="grid gap-4">
          <Field
            id="contact-phone"
            label="Phone"
            error={errors.phone?.message}
            hint="E.164, like +14155550123"
          >
            <Input type="tel" autoComplete="off" autoFocus {...form.register("phone")} />
          </Field>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="contact-first-name" label="First name" error={errors.first_name?.message}>
              <Input maxLength={200} {...form.register("first_name")} />
            </Field>
            <Field id="contact-last-name" label="Last name" error={errors.last_name?.message}>
              <Input maxLength={200} {...form.register("last_name")} />
            </Field>
          </div>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="contact-email" label="Email" error={errors.email?.message}>
              <Input type="email" maxLength={320} {...form.register("email")} />
            </Field>
            <Field
              id="contact-timezone"
              label="Time zone"
              error={errors.timezone?.message}
              hint="IANA name; from the number when empty"
            >
              <Input placeholder="America/New_York" {...form.register("timezone")} />
            </Field>
          </div>
          <Field
            id="contact-tags"
            label="Tags"
            error={errors.tags?.message}
            hint="Separated by commas"
          >
            <Input placeholder="vip, newsletter" {...form.register("tags")} />
          </Field>
          <fieldset className="grid gap-2">
            <legend className="mb-1 text-sm font-medium">Custom fields</legend>
            {fields.fields.map((row, i) => (
              <div key={row.id} className="grid grid-cols-[1fr_1fr_auto] items-start gap-2">
                <Field
                  id={`field-${i}-key`}
                  label={`Field ${i + 1} name`}
                  error={errors.fields?.[i]?.key?.message}
                >
                  <Input placeholder="favorite_color" {...form.register(`fields.${i}.key`)} />
                </Field>
                <Field
                  id={`field-${i}-value`}
                  label={`Field ${i + 1} value`}
                  error={errors.fields?.[i]?.value?.message}
                >
                  <Input {...form.register(`fields.${i}.value`)} />
                </Field>
                <Button
                  type="button"
                  variant="ghost"
                  size="icon"
                  className="mt-[22px]"
                  aria-label={`Remove field ${i + 1}`}
                  onClick={() => fields.remove(i)}
                >
                  <X aria-hidden="true" />
                </Button>
              </div>
            ))}
            <div>
              <Button
                type="button"
                variant="outline"
                size="sm"
                onClick={() => fields.append({ key: "", value: "" })}
              >
                <Plus aria-hidden="true" /> Add a field
              </Button>
            </div>
          </fieldset>
          {errors.root?.server ? <Alert variant="error">{errors.root.server.message}</Alert> : null}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={isSubmitting}>
              {isSubmitting ? <Spinner className="text-primary-foreground" label="Saving" /> : null}
              {contact ? "Save contact" : "Create contact"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
