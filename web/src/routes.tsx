import { lazy, type ReactNode } from "react";
import { createBrowserRouter, type RouteObject } from "react-router";
import { LoginPage } from "./auth/LoginPage";
import { AppLayout } from "./layout/AppLayout";
import { RequireRoles } from "./layout/RequireRoles";
import { navigationItemOf } from "./navigation";

// Every page is its own chunk: the first load carries the shell and the login only.
const DashboardPage = lazy(() => import("./pages/DashboardPage"));
const UsersPage = lazy(() => import("./pages/users/UsersPage"));
const CreateUserPage = lazy(() => import("./pages/users/CreateUserPage"));
const ImportUsersPage = lazy(() => import("./pages/users/ImportUsersPage"));
const UserPage = lazy(() => import("./pages/users/UserPage"));
const CardsPage = lazy(() => import("./pages/cards/CardsPage"));
const CardPage = lazy(() => import("./pages/cards/CardPage"));
const ApprovalsPage = lazy(() => import("./pages/ApprovalsPage"));
const BatchOrdersPage = lazy(() => import("./pages/batch-orders/BatchOrdersPage"));
const IssueMultipleCardsPage = lazy(() => import("./pages/batch-orders/IssueMultipleCardsPage"));
const ActivateMultipleCardsPage = lazy(() => import("./pages/batch-orders/ActivateMultipleCardsPage"));
const RenewMultipleCardsPage = lazy(() => import("./pages/batch-orders/RenewMultipleCardsPage"));
const RequestMultipleCardsPage = lazy(() => import("./pages/batch-orders/RequestMultipleCardsPage"));
const BatchesPage = lazy(() => import("./pages/batches/BatchesPage"));
const BatchPage = lazy(() => import("./pages/batches/BatchPage"));
const CertificatesPage = lazy(() => import("./pages/CertificatesPage"));
const CertificatePage = lazy(() => import("./pages/CertificatePage"));
const AuditPage = lazy(() => import("./pages/AuditPage"));
const AdministrationPage = lazy(() => import("./pages/admin/AdministrationPage"));
const TokensPage = lazy(() => import("./pages/TokensPage"));
const NotFoundPage = lazy(() => import("./pages/NotFoundPage"));

/** A page that only some roles may open: the roles of its navigation entry. */
function guarded(
  navigationPath: string,
  element: ReactNode,
  roles?: Parameters<typeof RequireRoles>[0]["roles"],
) {
  const needed = roles ?? navigationItemOf(navigationPath)?.roles ?? "any";
  return <RequireRoles roles={needed}>{element}</RequireRoles>;
}

const pages: RouteObject[] = [
  { index: true, element: <DashboardPage /> },
  { path: "users", element: <UsersPage /> },
  { path: "users/new", element: guarded("/users", <CreateUserPage />, ["registrationOfficer"]) },
  { path: "users/import", element: guarded("/users", <ImportUsersPage />, ["registrationOfficer"]) },
  { path: "users/:id", element: <UserPage /> },
  { path: "cards", element: <CardsPage /> },
  { path: "cards/:id", element: <CardPage /> },
  { path: "approvals", element: guarded("/approvals", <ApprovalsPage />) },
  { path: "batch-orders", element: guarded("/batch-orders", <BatchOrdersPage />) },
  {
    path: "batch-orders/issue-multiple-cards",
    element: guarded("/batch-orders", <IssueMultipleCardsPage />, ["productionAdministrator"]),
  },
  {
    path: "batch-orders/activate-multiple-cards",
    element: guarded("/batch-orders", <ActivateMultipleCardsPage />, ["issuingAuthority"]),
  },
  {
    path: "batch-orders/renew-multiple-cards",
    element: guarded("/batch-orders", <RenewMultipleCardsPage />, ["registrationOfficer"]),
  },
  {
    path: "batch-orders/request-multiple-cards",
    element: guarded("/batch-orders", <RequestMultipleCardsPage />, ["registrationOfficer"]),
  },
  { path: "batches", element: guarded("/batches", <BatchesPage />) },
  { path: "batches/:id", element: guarded("/batches", <BatchPage />) },
  { path: "certificates", element: <CertificatesPage /> },
  { path: "certificates/:serial", element: <CertificatePage /> },
  { path: "audit", element: guarded("/audit", <AuditPage />) },
  { path: "administration", element: guarded("/administration", <AdministrationPage />) },
  { path: "administration/:tab", element: guarded("/administration", <AdministrationPage />) },
  { path: "api-tokens", element: <TokensPage /> },
  { path: "*", element: <NotFoundPage /> },
];

export const router = createBrowserRouter([
  { path: "/login", element: <LoginPage /> },
  { path: "/", element: <AppLayout />, children: pages },
]);
