import { Button } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import type { ReactNode } from "react";

interface DownloadButtonProps {
  href: string;
  /** The file name to save as; by default the server's (its content-disposition). */
  download?: string;
  size?: "xs" | "sm";
  children: ReactNode;
}

/** A file to download, as a plain link (the browser saves it; cookies go along, no script reads it). */
export function DownloadButton({ href, download, size = "sm", children }: DownloadButtonProps) {
  return (
    <Button
      component="a"
      href={href}
      download={download ?? true}
      variant="default"
      size={size}
      leftSection={<IconDownload size={size === "xs" ? 14 : 16} aria-hidden />}
    >
      {children}
    </Button>
  );
}
