// @peculiar/x509 and its asn1 schemas need the Reflect metadata API before they load.
import "reflect-metadata";
