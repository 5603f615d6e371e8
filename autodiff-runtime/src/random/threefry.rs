//! The Threefry-2x32 block function (20 rounds), exactly as JAX's
//! `threefry2x32` primitive computes it.
//!
//! Reference: Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy
//! as 1, 2, 3" (SC 2011), and the Random123 library's known-answer vectors,
//! which the tests below check.

/// Key-schedule parity constant of Threefish/Threefry.
const PARITY: u32 = 0x1BD1_1BDA;

/// Rotation amounts of the even (`R0`) and odd (`R1`) groups of four rounds.
const R0: [u32; 4] = [13, 15, 26, 6];
const R1: [u32; 4] = [17, 29, 16, 24];

#[inline(always)]
fn rounds(x: &mut [u32; 2], rot: &[u32; 4]) {
    for &r in rot {
        x[0] = x[0].wrapping_add(x[1]);
        x[1] = x[1].rotate_left(r) ^ x[0];
    }
}

/// Hashes the counter pair `x` under `key`: Threefry-2x32 with 20 rounds.
///
/// This is the block function behind every key split, fold-in and draw.
#[inline(always)]
pub(crate) fn threefry2x32(key: [u32; 2], x: [u32; 2]) -> [u32; 2] {
    let ks = [key[0], key[1], key[0] ^ key[1] ^ PARITY];
    let mut x = [x[0].wrapping_add(ks[0]), x[1].wrapping_add(ks[1])];

    rounds(&mut x, &R0);
    x[0] = x[0].wrapping_add(ks[1]);
    x[1] = x[1].wrapping_add(ks[2]).wrapping_add(1);

    rounds(&mut x, &R1);
    x[0] = x[0].wrapping_add(ks[2]);
    x[1] = x[1].wrapping_add(ks[0]).wrapping_add(2);

    rounds(&mut x, &R0);
    x[0] = x[0].wrapping_add(ks[0]);
    x[1] = x[1].wrapping_add(ks[1]).wrapping_add(3);

    rounds(&mut x, &R1);
    x[0] = x[0].wrapping_add(ks[1]);
    x[1] = x[1].wrapping_add(ks[2]).wrapping_add(4);

    rounds(&mut x, &R0);
    x[0] = x[0].wrapping_add(ks[2]);
    x[1] = x[1].wrapping_add(ks[0]).wrapping_add(5);

    x
}

#[cfg(test)]
mod tests {
    use super::threefry2x32;

    /// Random123's known-answer vectors for threefry2x32_20 (also the ones in
    /// JAX's `random_test.py`).
    #[test]
    fn random123_known_answers() {
        assert_eq!(threefry2x32([0, 0], [0, 0]), [0x6b20_0159, 0x99ba_4efe]);
        assert_eq!(
            threefry2x32([u32::MAX, u32::MAX], [u32::MAX, u32::MAX]),
            [0x1cb9_96fc, 0xbb00_2be7]
        );
        assert_eq!(
            threefry2x32([0x1319_8a2e, 0x0370_7344], [0x243f_6a88, 0x85a3_08d3]),
            [0xc492_3a9c, 0x483d_f7a0]
        );
    }
}
