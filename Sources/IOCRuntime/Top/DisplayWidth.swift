/// How many terminal columns text takes, and how to cut it to a width, without a locale or `wcwidth(3)`.
///
/// Vietnamese is what matters here: precomposed letters (`ế`, U+1EBF) take one column and combining marks (the
/// decomposed spelling `e` + U+0302 + U+0301) take none, so a street name is as wide in either spelling. Wide
/// East Asian characters and emoji take two columns; control characters none.
public enum DisplayWidth {
    /// Columns of one scalar: 0, 1 or 2.
    /// - Complexity: O(1), no allocation.
    public static func columns(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if v < 0x300 { return 1 }  // ASCII, Latin-1, Latin Extended-A/B: the fast path
        switch v {
        case 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2064, 0xFE00...0xFE0F, 0xFEFF, 0xE0100...0xE01EF:
            return 0  // zero-width spaces, joiners, direction marks, variation selectors, BOM
        default: break
        }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    /// Columns of `text`.
    /// - Complexity: O(n) in the scalars, no allocation.
    public static func of(_ text: some StringProtocol) -> Int {
        var n = 0
        for s in text.unicodeScalars { n += columns(s) }
        return n
    }

    /// `text` cut to at most `width` columns; when something was cut, the last column is `…`.
    /// - Complexity: O(n) in the scalars; allocates the result.
    public static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if of(text) <= width { return text }
        return prefix(text, columns: width - 1) + "…"
    }

    /// The longest start of `text` that fits in `columns`; combining marks after the last letter kept stay with
    /// it, so a letter is never cut from its accents.
    /// - Complexity: O(n) in the scalars; allocates the result.
    public static func prefix(_ text: String, columns: Int) -> String {
        var out = String.UnicodeScalarView()
        var used = 0
        for s in text.unicodeScalars {
            let w = Self.columns(s)
            if used + w > columns { break }
            out.append(s)
            used += w
        }
        return String(out)
    }

    /// `text` padded with spaces on the right to `width` columns (never cut).
    public static func pad(_ text: String, to width: Int) -> String {
        let w = of(text)
        return w >= width ? text : text + String(repeating: " ", count: width - w)
    }
}
