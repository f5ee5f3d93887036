"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { MailPlus, ShieldAlert, Users } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { applyProblem, problemMessage } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { EmptyState, ErrorState, LoadingState, Spinner } from "@/components/ui/states";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import { atLeast, ROLE_LABELS } from "@/features/tenancy/roles";
import { loadMe, useRole, useSession } from "@/features/tenancy/session";
import { formatDateTime } from "@/lib/format";

import {
  type Invitation,
  type Member,
  type Role,
  useChangeRole,
  useInvitations,
  useInvite,
  useMembers,
  useRemoveMember,
  useResendInvitation,
  useRevokeInvitation,
} from "./hooks";
import { type InviteValues, inviteSchema, ROLES } from "./schemas";
import { CardHeading, SectionHeader } from "./section";

const LAST_OWNER =
  "A workspace always keeps an owner: make someone else owner before this person stops being one.";

/** Roles `mine` may grant (never above one's own, as the API decides). */
function grantable(mine: Role | null): Role[] {
  return ROLES.filter((role) => atLeast(mine, role));
}

function InviteForm({ myRole }: { myRole: Role }) {
  const invite = useInvite();
  const form = useForm<InviteValues>({
    resolver: zodResolver(inviteSchema),
    defaultValues: { email: "", role: "member" },
  });
  const { errors, isSubmitting } = form.formState;
  const onSubmit = form.handleSubmit(async (values) => {
    try {
      await invite.mutateAsync(values);
      toast.success("Invitation sent", `${values.email} will get a link by email.`);
      form.reset({ email: "", role: values.role });
    } catch (error) {
      applyProblem(form, error, {
        fields: ["email", "role"],
        slugs: { "already-member": "email", "plan-limit-seats": "email" },
      });
    }
  });
  return (
    <form
      onSubmit={onSubmit}
      noValidate
      className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_10rem_auto] sm:items-start"
    >
      <Field id="invite-email" label="Email address" error={errors.email?.message}>
        <Input
          type="email"
          autoComplete="off"
          placeholder="name@company.com"
          {...form.register("email")}
        />
      </Field>
      <Field id="invite-role" label="Role" error={errors.role?.message}>
        <Select {...form.register("role")}>
          {grantable(myRole).map((role) => (
            <option key={role} value={role}>
              {ROLE_LABELS[role]}
            </option>
          ))}
        </Select>
      </Field>
      <div className="sm:pt-6">
        <Button type="submit" disabled={isSubmitting} className="w-full sm:w-auto">
          {isSubmitting ? (
            <Spinner className="text-primary-foreground" label="Sending" />
          ) : (
            <MailPlus aria-hidden="true" />
          )}
          Send invitation
        </Button>
      </div>
      {errors.root?.server ? (
        <Alert variant="error" className="sm:col-span-3">
          {errors.root.server.message}
        </Alert>
      ) : null}
    </form>
  );
}

function PendingInvitations() {
  const invitations = useInvitations(true);
  const revoke = useRevokeInvitation();
  const resend = useResendInvitation();
  const [now] = useState(() => Date.now());
  if (invitations.isPending) return <LoadingState rows={2} label="Loading invitations" />;
  if (invitations.isError)
    return (
      <ErrorState
        error={problemMessage(invitations.error)}
        onRetry={() => void invitations.refetch()}
      />
    );
  if (invitations.data.length === 0)
    return <p className="text-sm text-muted-foreground">No invitation is waiting for an answer.</p>;
  return (
    <Table aria-label="Pending invitations">
      <TableHeader>
        <TableRow>
          <TableHead>Email</TableHead>
          <TableHead>Role</TableHead>
          <TableHead>Link valid until</TableHead>
          <TableHead className="text-right">
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {invitations.data.map((invitation: Invitation) => {
          const expired = new Date(invitation.expires_at).getTime() <= now;
          return (
            <TableRow key={invitation.id}>
              <TableCell className="font-medium break-all">{invitation.email}</TableCell>
              <TableCell>{ROLE_LABELS[invitation.role]}</TableCell>
              <TableCell className="whitespace-nowrap">
                {expired ? (
                  <Badge variant="warning">Expired</Badge>
                ) : (
                  formatDateTime(invitation.expires_at)
                )}
              </TableCell>
              <TableCell className="text-right whitespace-nowrap">
                <div className="flex justify-end gap-2">
                  <Button
                    variant="outline"
                    size="sm"
                    disabled={resend.isPending}
                    aria-label={`Resend the invitation to ${invitation.email}`}
                    onClick={() =>
                      resend.mutate(invitation.id, {
                        onSuccess: () =>
                          toast.success(
                            "Invitation sent again",
                            `A new link went to ${invitation.email}; the old one no longer works.`,
                          ),
                        onError: (error) => toast.error("Could not resend", problemMessage(error)),
                      })
                    }
                  >
                    Resend
                  </Button>
                  <ConfirmDialog
                    trigger={
                      <Button
                        variant="outline"
                        size="sm"
                        aria-label={`Revoke the invitation to ${invitation.email}`}
                      >
                        Revoke
                      </Button>
                    }
                    title="Revoke this invitation?"
                    description={`The link sent to ${invitation.email} stops working. You can invite them again later.`}
                    confirmLabel="Revoke invitation"
                    destructive
                    pending={revoke.isPending}
                    onConfirm={() =>
                      revoke.mutateAsync(invitation.id).then(
                        () => toast.success("Invitation revoked"),
                        (error: unknown) => {
                          toast.error("Could not revoke", problemMessage(error));
                          throw error;
                        },
                      )
                    }
                  />
                </div>
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

function MemberRow({
  member,
  myRole,
  myId,
  owners,
}: {
  member: Member;
  myRole: Role;
  myId: string | undefined;
  owners: number;
}) {
  const router = useRouter();
  const changeRole = useChangeRole();
  const remove = useRemoveMember();
  const isMe = member.user_id === myId;
  const lastOwner = member.role === "owner" && owners <= 1;
  const ownerOnly = member.role === "owner" && myRole !== "owner";
  const canManage = atLeast(myRole, "admin");
  const roleLocked = !canManage || lastOwner || ownerOnly;
  const canRemove = (isMe || canManage) && !lastOwner && !(ownerOnly && !isMe);
  const lockReason = lastOwner
    ? "The last owner"
    : ownerOnly
      ? "Only an owner can change an owner"
      : null;

  return (
    <TableRow>
      <TableCell>
        <div className="grid min-w-0">
          <span className="font-medium">
            {member.name}
            {isMe ? <span className="text-muted-foreground"> (you)</span> : null}
          </span>
          <span className="text-xs break-all text-muted-foreground">{member.email}</span>
        </div>
      </TableCell>
      <TableCell>
        {roleLocked ? (
          <div className="grid gap-1">
            <span>{ROLE_LABELS[member.role]}</span>
            {lockReason && canManage ? (
              <span className="flex items-center gap-1 text-xs text-muted-foreground">
                <ShieldAlert className="size-3.5" aria-hidden="true" />
                {lockReason}
              </span>
            ) : null}
          </div>
        ) : (
          <Select
            aria-label={`Role of ${member.name}`}
            className="w-32"
            value={member.role}
            disabled={changeRole.isPending}
            onChange={(event) => {
              const role = event.target.value as Role;
              changeRole.mutate(
                { userId: member.user_id, role },
                {
                  onSuccess: async () => {
                    toast.success(`${member.name} is now ${ROLE_LABELS[role].toLowerCase()}`);
                    if (isMe) await loadMe().catch(() => undefined);
                  },
                  onError: (error) => toast.error("Role not changed", problemMessage(error)),
                },
              );
            }}
          >
            {grantable(myRole).map((role) => (
              <option key={role} value={role}>
                {ROLE_LABELS[role]}
              </option>
            ))}
          </Select>
        )}
      </TableCell>
      <TableCell className="whitespace-nowrap text-muted-foreground">
        {formatDateTime(member.joined_at)}
      </TableCell>
      <TableCell className="text-right">
        {canRemove ? (
          <ConfirmDialog
            trigger={
              <Button
                variant="outline"
                size="sm"
                aria-label={isMe ? "Leave the workspace" : `Remove ${member.name}`}
              >
                {isMe ? "Leave" : "Remove"}
              </Button>
            }
            title={isMe ? "Leave this workspace?" : `Remove ${member.name}?`}
            description={
              isMe
                ? "You lose access at once; someone must invite you to come back."
                : `${member.name} loses access at once and is signed out of this workspace.`
            }
            confirmLabel={isMe ? "Leave workspace" : "Remove member"}
            destructive
            pending={remove.isPending}
            onConfirm={() =>
              remove.mutateAsync(member.user_id).then(
                async () => {
                  toast.success(isMe ? "You left the workspace" : `${member.name} was removed`);
                  if (isMe) {
                    await loadMe().catch(() => undefined);
                    router.replace("/dashboard");
                  }
                },
                (error: unknown) => {
                  toast.error("Not removed", problemMessage(error));
                  throw error;
                },
              )
            }
          />
        ) : null}
      </TableCell>
    </TableRow>
  );
}

export function MembersSettings() {
  const role = useRole();
  const myId = useSession((s) => s.me?.user?.id);
  const members = useMembers();
  const canManage = atLeast(role, "admin");
  const owners = members.data?.filter((m) => m.role === "owner").length ?? 0;
  return (
    <>
      <SectionHeader
        title="Members"
        description="Who works in this workspace, and what they may do. Owners manage billing and owners; admins manage members, keys and settings; members work the inbox, contacts and campaigns."
      />
      <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
        {canManage && role ? (
          <Card>
            <CardHeader>
              <CardHeading>Invite someone</CardHeading>
              <CardDescription>
                They get a link by email, valid for a limited time; they join with the role you
                choose once they accept.
              </CardDescription>
            </CardHeader>
            <CardContent>
              <InviteForm myRole={role} />
            </CardContent>
          </Card>
        ) : null}
        {canManage ? (
          <Card>
            <CardHeader>
              <CardHeading>Pending invitations</CardHeading>
            </CardHeader>
            <CardContent>
              <PendingInvitations />
            </CardContent>
          </Card>
        ) : null}
        <Card>
          <CardHeader>
            <CardHeading>Members</CardHeading>
            {owners === 1 && canManage ? (
              <CardDescription>
                <ShieldAlert className="mr-1 inline size-3.5 align-[-2px]" aria-hidden="true" />
                {LAST_OWNER}
              </CardDescription>
            ) : null}
          </CardHeader>
          <CardContent>
            {members.isPending ? (
              <LoadingState rows={3} label="Loading members" />
            ) : members.isError ? (
              <ErrorState
                error={problemMessage(members.error)}
                onRetry={() => void members.refetch()}
              />
            ) : members.data.length === 0 ? (
              <EmptyState icon={Users} title="No members" />
            ) : role ? (
              <Table aria-label="Members">
                <TableHeader>
                  <TableRow>
                    <TableHead>Member</TableHead>
                    <TableHead>Role</TableHead>
                    <TableHead>Joined</TableHead>
                    <TableHead className="text-right">
                      <span className="sr-only">Actions</span>
                    </TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {members.data.map((member) => (
                    <MemberRow
                      key={member.user_id}
                      member={member}
                      myRole={role}
                      myId={myId}
                      owners={owners}
                    />
                  ))}
                </TableBody>
              </Table>
            ) : null}
          </CardContent>
        </Card>
      </div>
    </>
  );
}
