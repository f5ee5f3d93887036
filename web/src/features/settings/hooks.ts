/**
 * Settings queries and mutations (TanStack Query over the generated client), one hook per
 * API call. Mutations refresh what they change; forms show their problems field by field.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import { ApiProblem } from "@/api/problem";
import type { components } from "@/api/schema";
import { loadMe } from "@/features/tenancy/session";

type S = components["schemas"];
export type WorkspaceSettings = S["WorkspaceSettingsOut"];
export type WorkspaceSettingsPatch = S["WorkspaceSettingsPatch"];
export type Member = S["MemberOut"];
export type Invitation = S["InvitationOut"];
export type ApiKey = S["ApiKeyOut"];
export type ApiKeyCreated = S["ApiKeyCreated"];
export type TwilioConfig = S["TwilioConfigOut"];
export type AiConfig = S["AiConfigOut"];
export type AiConfigIn = S["AiConfigIn"];
export type AiTryOut = S["AiTryOut"];
export type ConsentEvent = S["ConsentEventOut"];
export type ConsentKind = NonNullable<S["ConsentFilter"]["kind"]>;
export type ConsentSource = NonNullable<S["ConsentFilter"]["source"]>;
export type Role = S["MemberOut"]["role"];

export const settingsKeys = {
  workspace: ["settings", "workspace"] as const,
  members: ["members"] as const,
  invitations: ["members", "invitations"] as const,
  apiKeys: ["api-keys"] as const,
  twilio: ["twilio", "config"] as const,
  ai: ["ai", "config"] as const,
  keywords: ["compliance", "keywords"] as const,
  consent: (kind: string, source: string, cursor: string) =>
    ["compliance", "consent", kind, source, cursor] as const,
};

// --- profile -----------------------------------------------------------------------------

export function useUpdateProfile() {
  return useMutation({
    mutationFn: async (body: { name: string }) => {
      const user = await unwrap(api.PATCH("/v1/me", { body }));
      await loadMe();
      return user;
    },
  });
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (body: { current_password: string; new_password: string }) =>
      unwrap(api.POST("/v1/me/password", { body })),
  });
}

// --- workspace ---------------------------------------------------------------------------

export function useWorkspaceSettings() {
  return useQuery({
    queryKey: settingsKeys.workspace,
    queryFn: () => unwrap(api.GET("/v1/workspace/settings")),
  });
}

export function useUpdateWorkspaceSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: WorkspaceSettingsPatch) =>
      unwrap(api.PATCH("/v1/workspace/settings", { body })),
    onSuccess: async (saved) => {
      client.setQueryData(settingsKeys.workspace, saved);
      await loadMe().catch(() => undefined); // the name in the switcher
    },
  });
}

// --- members -----------------------------------------------------------------------------

export function useMembers() {
  return useQuery({
    queryKey: settingsKeys.members,
    queryFn: () => unwrap(api.GET("/v1/members")),
    select: (list) => list.data,
  });
}

export function useInvitations(enabled: boolean) {
  return useQuery({
    queryKey: settingsKeys.invitations,
    queryFn: () => unwrap(api.GET("/v1/members/invitations")),
    select: (list) => list.data,
    enabled,
  });
}

export function useInvite() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; role: Role }) =>
      unwrap(api.POST("/v1/members/invitations", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: settingsKeys.invitations }),
  });
}

export function useRevokeInvitation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.DELETE("/v1/members/invitations/{invitation_id}", {
          params: { path: { invitation_id: id } },
        }),
      ),
    onSettled: () => client.invalidateQueries({ queryKey: settingsKeys.invitations }),
  });
}

export function useResendInvitation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.POST("/v1/members/invitations/{invitation_id}/resend", {
          params: { path: { invitation_id: id } },
        }),
      ),
    onSettled: () => client.invalidateQueries({ queryKey: settingsKeys.invitations }),
  });
}

export function useChangeRole() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      unwrap(
        api.PATCH("/v1/members/{user_id}", {
          params: { path: { user_id: userId } },
          body: { role },
        }),
      ),
    onSettled: () => client.invalidateQueries({ queryKey: settingsKeys.members }),
  });
}

export function useRemoveMember() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(api.DELETE("/v1/members/{user_id}", { params: { path: { user_id: userId } } })),
    onSettled: () => client.invalidateQueries({ queryKey: settingsKeys.members }),
  });
}

// --- API keys ----------------------------------------------------------------------------

export function useApiKeys() {
  return useQuery({
    queryKey: settingsKeys.apiKeys,
    queryFn: () => unwrap(api.GET("/v1/api-keys")),
    select: (list) => list.data,
  });
}

export function useCreateApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; role: Role }) => unwrap(api.POST("/v1/api-keys", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: settingsKeys.apiKeys }),
  });
}

export function useRevokeApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/v1/api-keys/{key_id}", { params: { path: { key_id: id } } })),
    onSettled: () => client.invalidateQueries({ queryKey: settingsKeys.apiKeys }),
  });
}

// --- Twilio ------------------------------------------------------------------------------

/** The connected account, or null when none is (the API answers 404). */
export function useTwilioConfig() {
  return useQuery({
    queryKey: settingsKeys.twilio,
    queryFn: async () => {
      try {
        return await unwrap(api.GET("/v1/twilio/config"));
      } catch (error) {
        if (error instanceof ApiProblem && error.status === 404) return null;
        throw error;
      }
    },
  });
}

export function useConnectTwilio() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: S["TwilioConfigIn"]) => unwrap(api.PUT("/v1/twilio/config", { body })),
    onSuccess: (saved) => {
      client.setQueryData(settingsKeys.twilio, saved);
      void client.invalidateQueries({ queryKey: ["onboarding"] });
    },
  });
}

export function useDisconnectTwilio() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/twilio/config")),
    onSuccess: () => client.setQueryData(settingsKeys.twilio, null),
  });
}

// --- AI ----------------------------------------------------------------------------------

export function useAiConfig() {
  return useQuery({
    queryKey: settingsKeys.ai,
    queryFn: () => unwrap(api.GET("/v1/ai/config")),
  });
}

export function useSaveAiConfig() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: AiConfigIn) => unwrap(api.PUT("/v1/ai/config", { body })),
    onSuccess: (saved) => client.setQueryData(settingsKeys.ai, saved),
  });
}

export function useTryAi() {
  return useMutation({
    mutationFn: (body: { message: string; config: AiConfigIn }) =>
      unwrap(api.POST("/v1/ai/try", { body })),
  });
}

// --- compliance --------------------------------------------------------------------------

export function useKeywords() {
  return useQuery({
    queryKey: settingsKeys.keywords,
    queryFn: () => unwrap(api.GET("/v1/compliance/keywords")),
    staleTime: Infinity,
  });
}

export function useConsentLog(filters: {
  kind: ConsentKind | null;
  source: ConsentSource | null;
  cursor: string | null;
}) {
  return useQuery({
    queryKey: settingsKeys.consent(filters.kind ?? "", filters.source ?? "", filters.cursor ?? ""),
    queryFn: () =>
      unwrap(
        api.GET("/v1/consent-events", {
          params: {
            query: {
              limit: 25,
              ...(filters.kind ? { kind: filters.kind } : {}),
              ...(filters.source ? { source: filters.source } : {}),
              ...(filters.cursor ? { cursor: filters.cursor } : {}),
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
    refetchOnWindowFocus: true,
  });
}

/** The consent log as a CSV file, fetched with the session and saved by the browser. */
export async function downloadConsentCsv(filters: {
  kind: ConsentKind | null;
  source: ConsentSource | null;
}): Promise<void> {
  const { data, response } = await api.GET("/v1/consent-events/export.csv", {
    params: {
      query: {
        ...(filters.kind ? { kind: filters.kind } : {}),
        ...(filters.source ? { source: filters.source } : {}),
      },
    },
    parseAs: "blob",
  });
  if (!response.ok || !(data instanceof Blob)) {
    throw new ApiProblem({
      type: "about:blank",
      title: "Export failed",
      status: response.status,
      detail: `The export failed (${response.status}). Try again.`,
    });
  }
  const url = URL.createObjectURL(data);
  const link = document.createElement("a");
  link.href = url;
  link.download = `consent-log-${new Date().toISOString().slice(0, 10)}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
