import {
  IconCertificate,
  IconChecklist,
  IconCreditCard,
  IconFileAnalytics,
  IconLayoutDashboard,
  IconListDetails,
  IconSettings,
  IconStack2,
  IconUsers,
} from "@tabler/icons-react";
import type { ComponentType } from "react";
import { batchOrderRoles, type Role } from "./domain";

export interface NavigationItem {
  label: string;
  path: string;
  icon: ComponentType<{ size?: number; stroke?: number }>;
  /** Roles that may open the page; the server still checks every request. */
  roles: readonly Role[] | "any";
}

/** The left navigation, in the order of ARCHITECTURE.md's "The operator UI". */
export const navigation: NavigationItem[] = [
  { label: "Dashboard", path: "/", icon: IconLayoutDashboard, roles: "any" },
  { label: "Users", path: "/users", icon: IconUsers, roles: "any" },
  { label: "Cards", path: "/cards", icon: IconCreditCard, roles: "any" },
  { label: "Approvals", path: "/approvals", icon: IconChecklist, roles: ["approver"] },
  { label: "BATCH ORDERS", path: "/batch-orders", icon: IconStack2, roles: batchOrderRoles },
  {
    label: "Batches",
    path: "/batches",
    icon: IconListDetails,
    roles: ["productionAdministrator", "issuingAuthority", "auditor", "administrator", "pinMailer"],
  },
  { label: "Certificates", path: "/certificates", icon: IconCertificate, roles: "any" },
  { label: "Audit", path: "/audit", icon: IconFileAnalytics, roles: ["auditor", "administrator"] },
  { label: "Administration", path: "/administration", icon: IconSettings, roles: ["administrator"] },
];

export function navigationItemOf(path: string): NavigationItem | undefined {
  return navigation.find((item) => item.path === path);
}
