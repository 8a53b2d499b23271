//! One byte range of a file (`Range: bytes=0-99`, `bytes=500-`, `bytes=-200`). Several ranges
//! in one request are answered with the whole file, which HTTP allows.

/// The first and last byte `spec` asks for in a body of `len` bytes: `None` when it is not
/// one range of bytes (the whole body is sent), `Some(Err(()))` when it lies past the end.
pub(super) fn bounds(spec: &str, len: u64) -> Option<Result<(u64, u64), ()>> {
    let ranges = spec.trim().strip_prefix("bytes=")?;
    if ranges.contains(',') {
        return None;
    }
    let (first, last) = ranges.trim().split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        let n: u64 = last.parse().ok()?;
        if n == 0 || len == 0 {
            return Some(Err(()));
        }
        return Some(Ok((len.saturating_sub(n), len - 1)));
    }
    let a: u64 = first.parse().ok()?;
    let b: u64 = match last {
        "" => u64::MAX,
        l => l.parse::<u64>().ok()?,
    };
    if b < a {
        // Not a valid range: ignored, the whole body is sent.
        return None;
    }
    if a >= len {
        return Some(Err(()));
    }
    Some(Ok((a, b.min(len - 1))))
}

#[cfg(test)]
mod tests {
    use super::bounds;

    #[test]
    fn reads_one_range() {
        assert_eq!(bounds("bytes=0-9", 100), Some(Ok((0, 9))));
        assert_eq!(bounds("bytes=90-", 100), Some(Ok((90, 99))));
        assert_eq!(bounds("bytes=-10", 100), Some(Ok((90, 99))));
        assert_eq!(bounds("bytes=50-500", 100), Some(Ok((50, 99))));
        assert_eq!(bounds("bytes=100-", 100), Some(Err(())));
        assert_eq!(bounds("bytes=5-3", 100), None);
        assert_eq!(bounds("bytes=0-1,5-6", 100), None);
        assert_eq!(bounds("items=0-1", 100), None);
    }
}
