//! Connect `Decimal` values between their two JSON forms (`decimal.format`): `BASE64` = the
//! unscaled value as big-endian two's-complement bytes (Java `BigInteger.toByteArray`),
//! base64-encoded; `NUMERIC` = a plain JSON number. The scale is the schema's `scale`
//! parameter. Arbitrary precision, with no big-number dependency.

/// Unscaled two's-complement bytes + scale → plain decimal text (e.g. `[0x01,0x2c]`, 2 → `3.00`).
pub(crate) fn unscaled_to_text(bytes: &[u8], scale: i32) -> String {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let magnitude: Vec<u8> = if negative {
        twos_negate(bytes)
    } else {
        bytes.to_vec()
    };
    let digits = to_decimal_digits(&magnitude);
    let mut out = String::new();
    if negative && digits != "0" {
        out.push('-');
    }
    if scale <= 0 {
        out.push_str(&digits);
        if digits != "0" {
            out.extend(std::iter::repeat_n('0', scale.unsigned_abs() as usize));
        }
        return out;
    }
    let scale = scale.unsigned_abs() as usize;
    if digits.len() > scale {
        let (int, frac) = digits.split_at(digits.len() - scale);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', scale - digits.len()));
        out.push_str(&digits);
    }
    out
}

/// A JSON number's text → unscaled two's-complement bytes at `scale`. Fails if the number has
/// more fractional digits than `scale` that are not zeros (Kafka: mismatching scale).
pub(crate) fn text_to_unscaled(number: &str, scale: i32) -> Result<Vec<u8>, String> {
    let (negative, rest) = match number.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, number.strip_prefix('+').unwrap_or(number)),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (
            &rest[..i],
            rest[i + 1..]
                .parse::<i64>()
                .map_err(|_| format!("invalid number {number}"))?,
        ),
        None => (rest, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: String = format!("{int}{frac}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("invalid number {number}"));
    }
    // value = digits × 10^-(own_scale)
    let own_scale = i64::try_from(frac.len()).unwrap_or(i64::MAX) - exponent;
    let wanted = i64::from(scale);
    if own_scale < wanted {
        let pad = usize::try_from(wanted - own_scale)
            .map_err(|_| format!("number {number} is out of range"))?;
        if pad > 10_000 {
            return Err(format!("number {number} is out of range"));
        }
        digits.extend(std::iter::repeat_n('0', pad));
    } else if own_scale > wanted {
        let cut = usize::try_from(own_scale - wanted).unwrap_or(usize::MAX);
        if cut > digits.len() || !digits[digits.len() - cut..].bytes().all(|b| b == b'0') {
            return Err(format!(
                "BigDecimal has mismatching scale value for given Decimal schema ({number} has more than {scale} fractional digits)"
            ));
        }
        digits.truncate(digits.len() - cut);
    }
    let magnitude = from_decimal_digits(&digits);
    Ok(to_twos_complement(&magnitude, negative))
}

/// Big-endian magnitude → decimal digits (no leading zeros; "0" for zero).
fn to_decimal_digits(magnitude: &[u8]) -> String {
    // Base-1e9 limbs, little-endian.
    let mut limbs: Vec<u32> = Vec::new();
    for &byte in magnitude {
        let mut carry = u64::from(byte);
        for limb in &mut limbs {
            let v = u64::from(*limb) * 256 + carry;
            *limb = (v % 1_000_000_000) as u32;
            carry = v / 1_000_000_000;
        }
        while carry > 0 {
            limbs.push((carry % 1_000_000_000) as u32);
            carry /= 1_000_000_000;
        }
    }
    match limbs.split_last() {
        None => "0".to_string(),
        Some((top, rest)) => {
            let mut s = top.to_string();
            for limb in rest.iter().rev() {
                s.push_str(&format!("{limb:09}"));
            }
            s
        }
    }
}

/// Decimal digits → big-endian magnitude (no leading zero bytes; empty for zero).
fn from_decimal_digits(digits: &str) -> Vec<u8> {
    let mut le: Vec<u8> = Vec::new();
    for d in digits.bytes() {
        let mut carry = u32::from(d - b'0');
        for byte in &mut le {
            let v = u32::from(*byte) * 10 + carry;
            *byte = (v & 0xff) as u8;
            carry = v >> 8;
        }
        while carry > 0 {
            le.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    while le.last() == Some(&0) {
        le.pop();
    }
    le.reverse();
    le
}

/// Minimal two's-complement encoding of ±magnitude, like `BigInteger.toByteArray`.
fn to_twos_complement(magnitude: &[u8], negative: bool) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(magnitude.len() + 1);
    bytes.push(0);
    bytes.extend_from_slice(magnitude);
    if negative && magnitude.iter().any(|b| *b != 0) {
        bytes = twos_negate(&bytes);
        while bytes.len() > 1 && bytes[0] == 0xff && bytes[1] & 0x80 != 0 {
            bytes.remove(0);
        }
    } else {
        while bytes.len() > 1 && bytes[0] == 0 && bytes[1] & 0x80 == 0 {
            bytes.remove(0);
        }
    }
    bytes
}

/// Two's-complement negation of a big-endian number (same length).
fn twos_negate(bytes: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = bytes.iter().map(|b| !b).collect();
    for byte in out.iter_mut().rev() {
        let (v, overflow) = byte.overflowing_add(1);
        *byte = v;
        if !overflow {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_to_text() {
        assert_eq!(unscaled_to_text(&[0x01, 0x2c], 2), "3.00"); // 300
        assert_eq!(unscaled_to_text(&[0x00], 2), "0.00");
        assert_eq!(unscaled_to_text(&[0xff], 0), "-1");
        assert_eq!(unscaled_to_text(&[0x80], 1), "-12.8");
        assert_eq!(unscaled_to_text(&[0x05], 3), "0.005");
        assert_eq!(unscaled_to_text(&[0x05], -2), "500");
        // 2^72 = 4722366482869645213696
        assert_eq!(
            unscaled_to_text(&[0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0),
            "4722366482869645213696"
        );
    }

    #[test]
    fn text_to_bytes_matches_biginteger() {
        assert_eq!(text_to_unscaled("3.00", 2).unwrap(), [0x01, 0x2c]);
        assert_eq!(
            text_to_unscaled("3", 2).unwrap(),
            [0x01, 0x2c],
            "scaled up exactly"
        );
        assert_eq!(
            text_to_unscaled("3.000", 2).unwrap(),
            [0x01, 0x2c],
            "trailing zeros dropped"
        );
        assert_eq!(text_to_unscaled("0", 2).unwrap(), [0x00]);
        assert_eq!(text_to_unscaled("-1", 0).unwrap(), [0xff]);
        assert_eq!(text_to_unscaled("-12.8", 1).unwrap(), [0x80]);
        assert_eq!(text_to_unscaled("128", 0).unwrap(), [0x00, 0x80]);
        assert_eq!(text_to_unscaled("-129", 0).unwrap(), [0xff, 0x7f]);
        assert_eq!(text_to_unscaled("1.5e1", 0).unwrap(), [0x0f]);
        assert!(
            text_to_unscaled("1.234", 2)
                .unwrap_err()
                .contains("mismatching scale")
        );
    }

    #[test]
    fn round_trips() {
        for (text, scale) in [
            ("123456789012345678901234567890.12", 2),
            ("-0.001", 3),
            ("-32768", 0),
            ("255", 0),
        ] {
            let bytes = text_to_unscaled(text, scale).unwrap();
            assert_eq!(unscaled_to_text(&bytes, scale), text);
        }
    }
}
