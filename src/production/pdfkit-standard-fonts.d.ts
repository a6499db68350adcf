// pdfkit ships the AFM metrics of the standard fonts as modules without type declarations.
declare module "pdfkit/standard-fonts/Helvetica" {
  const metrics: unknown;
  export default metrics;
}
declare module "pdfkit/standard-fonts/HelveticaBold" {
  const metrics: unknown;
  export default metrics;
}
