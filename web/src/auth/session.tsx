import { useQueryClient } from "@tanstack/react-query";
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { ApiError, apiRequest, onSessionExpired } from "../api/client";
import { logInRequest } from "../api/session-api";
import type { Role, SessionOperator } from "../api/types";
import { hasAnyRole } from "../domain";
import { ReloginModal } from "./ReloginModal";

type SessionState =
  | { status: "loading" }
  | { status: "anonymous"; reason?: "loggedOut" | "expired" }
  | { status: "ready"; operator: SessionOperator };

interface SessionContextValue {
  state: SessionState;
  logIn(username: string, password: string): Promise<SessionOperator>;
  logOut(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

/**
 * Who is logged in, and what happens when the session ends while they work: every request that
 * met the expiry waits while a modal asks for the password again, then goes on. Forms stay
 * mounted, so what the operator typed is still there.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<SessionState>({ status: "loading" });
  const [expired, setExpired] = useState(false);
  const waiting = useRef<{ resolve: () => void; reject: (error: Error) => void }[]>([]);
  const stateRef = useRef(state);
  stateRef.current = state;

  useEffect(() => {
    apiRequest<{ operator: SessionOperator }>("GET", "/api/v1/session", undefined, { retryOnExpiry: false })
      .then(({ operator }) => setState({ status: "ready", operator }))
      .catch((error: unknown) => {
        if (!(error instanceof ApiError) || error.status !== 401)
          console.error("reading the session failed", error);
        setState({ status: "anonymous" });
      });
  }, []);

  useEffect(() => {
    onSessionExpired(() => {
      if (stateRef.current.status !== "ready")
        return Promise.reject(new ApiError(401, "auth.required", "Log in first."));
      return new Promise<void>((resolve, reject) => {
        waiting.current.push({ resolve, reject });
        setExpired(true);
      });
    });
    return () => onSessionExpired(undefined);
  }, []);

  const logIn = useCallback(async (username: string, password: string) => {
    const { operator } = await logInRequest(username, password);
    setState({ status: "ready", operator });
    return operator;
  }, []);

  const giveUp = useCallback(
    (reason: "loggedOut" | "expired") => {
      const waiters = waiting.current.splice(0);
      for (const waiter of waiters) waiter.reject(new ApiError(401, "auth.required", "You are logged out."));
      setExpired(false);
      queryClient.clear();
      setState({ status: "anonymous", reason });
    },
    [queryClient],
  );

  const logOut = useCallback(async () => {
    try {
      await apiRequest("DELETE", "/api/v1/session", undefined, { retryOnExpiry: false });
    } catch (error) {
      // An expired session is already logged out; anything else is worth a line in the console.
      if (!(error instanceof ApiError && error.status === 401)) console.error("log out failed", error);
    }
    giveUp("loggedOut");
  }, [giveUp]);

  const resumed = useCallback((operator: SessionOperator) => {
    setState({ status: "ready", operator });
    setExpired(false);
    for (const waiter of waiting.current.splice(0)) waiter.resolve();
  }, []);

  const value = useMemo(() => ({ state, logIn, logOut }), [state, logIn, logOut]);
  return (
    <SessionContext.Provider value={value}>
      {children}
      {state.status === "ready" && (
        <ReloginModal
          opened={expired}
          username={state.operator.username}
          onLoggedIn={resumed}
          onGiveUp={() => giveUp("expired")}
        />
      )}
    </SessionContext.Provider>
  );
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession is used outside SessionProvider");
  return value;
}

/** The logged-in operator (pages under the layout only render when there is one). */
export function useOperator(): SessionOperator & { has(roles: readonly Role[] | "any"): boolean } {
  const { state } = useSession();
  if (state.status !== "ready") throw new Error("useOperator needs a logged-in operator");
  const { operator } = state;
  return { ...operator, has: (roles) => hasAnyRole(operator.roles, roles) };
}
