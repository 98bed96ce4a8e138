//! How an SMS text is sent: in the GSM 7-bit alphabet (160 characters, 153 a part when split)
//! when every character has a place in it, else in UCS-2 (70 UTF-16 units, 67 a part).

use serde::{Deserialize, Serialize};

crate::model::string_enum::string_enum!(
    /// The encoding an SMS text is sent in.
    SmsEncoding, "encoding" {
        /// The GSM 7-bit default alphabet (3GPP TS 23.038) and its extension table.
        Gsm7 = "gsm7",
        /// UCS-2 (UTF-16 code units), for any text outside the GSM alphabet.
        Ucs2 = "ucs2",
    }
);

/// How an SMS text is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SmsInfo {
    /// GSM-7 or UCS-2.
    pub encoding: SmsEncoding,
    /// Septets (GSM-7, an extension character counting two) or UTF-16 units (UCS-2).
    pub units: u32,
    /// How many SMS it takes.
    pub segments: u32,
}

/// The GSM 03.38 default alphabet.
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The extension table: each takes an escape septet and its own.
const EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// The encoding, units and parts of `text`.
pub(crate) fn info(text: &str) -> SmsInfo {
    let mut septets: Vec<u32> = Vec::with_capacity(text.len());
    for c in text.chars() {
        if BASIC.contains(c) {
            septets.push(1);
        } else if EXTENSION.contains(c) {
            septets.push(2);
        } else {
            return ucs2(text);
        }
    }
    let units: u32 = septets.iter().sum();
    SmsInfo {
        encoding: SmsEncoding::Gsm7,
        units,
        segments: parts(units, 160, 153, septets.into_iter()),
    }
}

fn ucs2(text: &str) -> SmsInfo {
    let widths = text.chars().map(|c| c.len_utf16() as u32);
    let units: u32 = widths.clone().sum();
    SmsInfo {
        encoding: SmsEncoding::Ucs2,
        units,
        segments: parts(units, 70, 67, widths),
    }
}

/// One part if `units` fit `single`; else parts of `each`, a character (an escape pair, a
/// surrogate pair) never split between two.
fn parts(units: u32, single: u32, each: u32, widths: impl Iterator<Item = u32>) -> u32 {
    if units <= single {
        return 1;
    }
    let (mut parts, mut used) = (1, 0);
    for w in widths {
        if used + w > each {
            parts += 1;
            used = 0;
        }
        used += w;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsm_texts_count_septets_and_split_at_153() {
        let plain = info("Votre transfert part à 08:30 de Lyon.");
        assert_eq!(plain.encoding, SmsEncoding::Gsm7);
        assert_eq!((plain.units, plain.segments), (37, 1));
        assert_eq!(info(&"a".repeat(160)).segments, 1);
        assert_eq!(info(&"a".repeat(161)).segments, 2);
        assert_eq!(info(&"a".repeat(306)).segments, 2);
        assert_eq!(info(&"a".repeat(307)).segments, 3);
        // The euro sign takes two septets, and an escape pair is never split.
        let euro = info("Prix: 120€");
        assert_eq!((euro.encoding, euro.units), (SmsEncoding::Gsm7, 11));
        let edge = format!("{}€", "a".repeat(152));
        assert_eq!((info(&edge).units, info(&edge).segments), (154, 1));
        let split = format!("{}€{}", "a".repeat(152), "a".repeat(10));
        assert_eq!(info(&split).segments, 2);
    }

    #[test]
    fn other_texts_go_as_ucs2() {
        let polish = info("Dzień dobry Łukasz");
        assert_eq!(polish.encoding, SmsEncoding::Ucs2);
        assert_eq!((polish.units, polish.segments), (18, 1));
        assert_eq!(info(&"王".repeat(70)).segments, 1);
        assert_eq!(info(&"王".repeat(71)).segments, 2);
        // An emoji is two units, never split.
        let emoji = format!("{}😀", "a".repeat(66));
        assert_eq!((info(&emoji).units, info(&emoji).segments), (68, 1));
        let more = format!("{}😀", "a".repeat(69));
        assert_eq!((info(&more).units, info(&more).segments), (71, 2));
    }
}
