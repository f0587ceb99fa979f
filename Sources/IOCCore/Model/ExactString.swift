/// A `String` compared and hashed by its UTF-8 bytes.
///
/// Swift's `==` on `String` is Unicode canonical equivalence: precomposed "Mỹ Đình" (NFC) equals decomposed
/// "My\u{303} \u{110}i\u{300}nh" (NFD). The engine's keys are byte strings (SPEC §5 sorts them by bytes, and the
/// interners tell them apart), so a table keyed by names that the feed spells (alert ids, dispatch routes) keys
/// them by this, or two city systems' spellings of one district would share, raise and clear one alert.
public struct ExactString: Hashable, Sendable, CustomStringConvertible {
    public var string: String

    public init(_ string: String) { self.string = string }

    public var description: String { string }

    public static func == (a: ExactString, b: ExactString) -> Bool { ExactString.sameBytes(a.string, b.string) }

    /// Whether two strings are the same UTF-8 bytes: one length check and one comparison of contiguous bytes
    /// (`utf8.elementsEqual` walks them one by one through an iterator, several times slower on the alert
    /// book's paths).
    @inline(__always)
    public static func sameBytes(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in x.isEmpty || bytesEqual(x.baseAddress!, y.baseAddress!, x.count) }
        }
    }

    public func hash(into hasher: inout Hasher) {
        var s = string
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
