/**
 * How long a PIN and a PUK may be, in digits: the one statement of the bounds that templates,
 * the batch order's options and production all check against. Four digits is the least a chip
 * accepts (ISO/IEC 7816-4 verify); twelve and sixteen are the longest a PIN pad and a PIN letter
 * serve well.
 */
export const pinLengthBounds = { min: 4, max: 12 } as const;
export const pukLengthBounds = { min: 8, max: 16 } as const;
