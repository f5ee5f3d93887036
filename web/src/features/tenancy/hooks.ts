/** Identity mutations over the generated client; pages and forms use these, never `api`. */
import { useMutation } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";

import type { ForgotValues, LoginValues, SignupValues } from "./schemas";
import { startSession } from "./session";

const cookie = { query: { session: "cookie" as const } };

export function useLogin() {
  return useMutation({
    mutationFn: async (body: LoginValues) => {
      const session = await unwrap(api.POST("/v1/auth/login", { params: cookie, body }));
      await startSession(session);
      return session;
    },
  });
}

/** Signup answers the same whether or not the email already has an account (no account
 * enumeration), so the session comes from logging in with what was just typed. When that
 * fails, the address had an account already: its owner was told by email. */
export function useSignup() {
  return useMutation({
    mutationFn: async (body: SignupValues) => {
      await unwrap(api.POST("/v1/auth/signup", { body }));
      const session = await unwrap(
        api.POST("/v1/auth/login", {
          params: cookie,
          body: { email: body.email, password: body.password },
        }),
      );
      await startSession(session);
      return session;
    },
  });
}

export function useForgotPassword() {
  return useMutation({
    mutationFn: (body: ForgotValues) => unwrap(api.POST("/v1/auth/password/forgot", { body })),
  });
}

export function useResetPassword() {
  return useMutation({
    mutationFn: (body: { token: string; password: string }) =>
      unwrap(api.POST("/v1/auth/password/reset", { body })),
  });
}

export function useVerifyEmail() {
  return useMutation({
    mutationFn: (token: string) => unwrap(api.POST("/v1/auth/verify-email", { body: { token } })),
  });
}

export function useResendVerification() {
  return useMutation({
    mutationFn: () => unwrap(api.POST("/v1/auth/verify-email/request")),
  });
}

export function useAcceptInvitation() {
  return useMutation({
    mutationFn: async (token: string) => {
      const session = await unwrap(
        api.POST("/v1/invitations/accept", { params: cookie, body: { token } }),
      );
      await startSession(session);
      return session;
    },
  });
}
