import { execFileSync } from "node:child_process";

/**
 * Whether an external tool (openssl, certtool, pdftotext, softhsm2-util, chromium) is on PATH.
 *
 * Under CI a missing tool is a failure, never a skip: the suite that needs it throws with the
 * Debian package to install. Outside CI the suite is skipped with the same sentence.
 */
export function hasTool(command: string, debianPackage: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    const message = `${command} is not installed: apt-get install ${debianPackage}`;
    if (process.env.CI) throw new Error(`${message} (required under CI)`);
    console.warn(`skipping: ${message}`);
    return false;
  }
}

/** Whether OpenSSL and GnuTLS are both here, the two judges the PKI tests hand their artefacts to. */
export function hasOpensslAndGnutls(): boolean {
  return hasTool("openssl", "openssl") && hasTool("certtool", "gnutls-bin");
}

/** Whether Python's `cryptography` can be imported: a judge of certificates no one here wrote. */
export function hasPythonCryptography(): boolean {
  if (!hasTool("python3", "python3-cryptography")) return false;
  try {
    execFileSync("python3", ["-c", "import cryptography.x509"], { stdio: "ignore" });
    return true;
  } catch {
    const message = "Python's cryptography is not installed: apt-get install python3-cryptography";
    if (process.env.CI) throw new Error(`${message} (required under CI)`);
    console.warn(`skipping: ${message}`);
    return false;
  }
}
