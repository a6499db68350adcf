import { type CSSVariablesResolver, createTheme, type MantineColorsTuple } from "@mantine/core";

/** The deep blue of the demo card templates, as a full palette. */
const tessera: MantineColorsTuple = [
  "#eef4fa",
  "#dce7f2",
  "#b6cce3",
  "#8db0d4",
  "#6a97c7",
  "#5487bf",
  "#477ebb",
  "#386ba5",
  "#2d5e93",
  "#1f4e79",
];

export const theme = createTheme({
  primaryColor: "tessera",
  primaryShade: { light: 8, dark: 6 },
  colors: { tessera },
  autoContrast: true,
  // The system's own fonts: nothing is fetched from elsewhere (CSP), and it reads like the OS.
  fontFamily:
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', 'Liberation Sans', sans-serif",
  fontFamilyMonospace:
    "ui-monospace, 'SFMono-Regular', 'Cascadia Mono', 'DejaVu Sans Mono', Menlo, monospace",
  headings: { fontWeight: "650" },
  defaultRadius: "sm",
  cursorType: "pointer",
  respectReducedMotion: true,
  components: {
    Table: {
      defaultProps: { verticalSpacing: 6, horizontalSpacing: "sm", fz: "sm", highlightOnHover: true },
    },
    Paper: { defaultProps: { withBorder: true, radius: "md" } },
    Button: { defaultProps: { size: "sm" } },
    TextInput: { defaultProps: { size: "sm" } },
    Select: { defaultProps: { size: "sm", allowDeselect: false } },
    // The ✕ of dialogs and notifications has no text: name it for screen readers.
    Modal: {
      defaultProps: {
        radius: "md",
        overlayProps: { backgroundOpacity: 0.4 },
        closeButtonProps: { "aria-label": "Close the dialog" },
      },
    },
    Notification: { defaultProps: { closeButtonProps: { "aria-label": "Dismiss the message" } } },
  },
});

/** Dimmed text dark enough for WCAG AA on white and on the page background. */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": "#5b636d",
    "--mantine-color-placeholder": "#667079",
    "--mantine-color-error": "#c92a2a",
    // Text on the light variants (alerts, light buttons, badges) dark enough for WCAG AA.
    "--mantine-color-red-light-color": "#b02525",
    "--mantine-color-orange-light-color": "#9a3a06",
    "--mantine-color-yellow-light-color": "#6e4a00",
    "--mantine-color-green-light-color": "#1d6a30",
    "--mantine-color-blue-light-color": "#175a9c",
    "--mantine-color-gray-light-color": "#454c54",
    "--mantine-color-tessera-light-color": "#1f4e79",
    "--mantine-color-body": "#ffffff",
  },
  dark: {},
});
