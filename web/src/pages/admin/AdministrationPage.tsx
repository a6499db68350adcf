import { Tabs } from "@mantine/core";
import { IconCertificate2, IconKey, IconSettings, IconTemplate, IconUsersGroup } from "@tabler/icons-react";
import { useNavigate, useParams } from "react-router";
import { PageHeader } from "../../components/PageHeader";
import { CaTab } from "./CaTab";
import { OperatorsTab } from "./OperatorsTab";
import { OptionsTab } from "./OptionsTab";
import { TemplatesTab } from "./TemplatesTab";
import { TokensTab } from "./TokensTab";

const tabs = [
  { value: "operators", label: "Operators and roles", icon: IconUsersGroup, panel: OperatorsTab },
  { value: "tokens", label: "API tokens", icon: IconKey, panel: TokensTab },
  { value: "templates", label: "Card templates", icon: IconTemplate, panel: TemplatesTab },
  { value: "options", label: "Process options", icon: IconSettings, panel: OptionsTab },
  { value: "ca", label: "CA and CRL", icon: IconCertificate2, panel: CaTab },
] as const;

export default function AdministrationPage() {
  const { tab } = useParams();
  const navigate = useNavigate();
  const active = tabs.find((t) => t.value === tab)?.value ?? "operators";
  return (
    <>
      <PageHeader
        title="Administration"
        description="Who may do what, the scripts that call the API, the card templates, the process options and the certificate authority."
      />
      <Tabs
        value={active}
        onChange={(value) => value && navigate(`/administration/${value}`)}
        keepMounted={false}
      >
        <Tabs.List mb="md">
          {tabs.map(({ value, label, icon: Icon }) => (
            <Tabs.Tab key={value} value={value} leftSection={<Icon size={16} aria-hidden />}>
              {label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {tabs.map(({ value, panel: Panel }) => (
          <Tabs.Panel key={value} value={value}>
            <Panel />
          </Tabs.Panel>
        ))}
      </Tabs>
    </>
  );
}
