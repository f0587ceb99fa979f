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

    public static func == (a: ExactString, b: ExactString) -> Bool { a.string.utf8.elementsEqual(b.string.utf8) }

    public func hash(into hasher: inout Hasher) {
        var s = string
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
