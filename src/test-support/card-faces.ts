import type { CardFace } from "../production/card-face.js";
import { createSampleJpeg, createSamplePng } from "../production/sample-photos.js";

/** The layout a print file's faces take when a face names none of its own. */
export const employeeLayout = { title: "EMPLOYEE ID", accentColor: "#1f4e79" };

/**
 * Faces that take every path of the card painter, one a page: a JPEG photo and every optional
 * line, a PNG photo and a layout of its own, no photo, and names long enough to be fitted.
 */
export function sampleCardFaces(): CardFace[] {
  const expiry = new Date("2029-03-31T23:59:59Z");
  return [
    {
      cardNumber: "700100000017",
      firstName: "Ada",
      lastName: "Lovelace",
      organization: "Analytical Engines (Ltd) & Co",
      organizationalUnit: "Research \\ Development",
      title: "Chief Mathematician",
      expiry,
      photo: createSampleJpeg(),
    },
    {
      cardNumber: "700100000025",
      firstName: "Zoë",
      lastName: "Øster-Müller",
      organization: "Contoso",
      expiry,
      photo: createSamplePng(),
      layout: { title: "CONTRACTOR", accentColor: "#f2c94c" },
    },
    { cardNumber: "700100000033", firstName: "Grace", lastName: "Hopper", expiry },
    {
      cardNumber: "700100000041",
      firstName: "Maximilian-Alexander Friedrich Wilhelm",
      lastName: "von Hohenzollern-Sigmaringen-Wittelsbach",
      organization: "Contoso Worldwide Holdings Incorporated of the Northern Hemisphere",
      organizationalUnit: "Procurement, Logistics and Facilities",
      title: "Senior Vice President",
      expiry,
    },
  ];
}
