// A JSON tree for code off the hot path (rules files, tests, adapters' odd cases): a strict parser with
// human-readable errors, and a compact serialiser. Same grammar and depth rules as `JSONScanner`.

/// A parsed JSON tree for non-hot-path use (rules files, tests, adapters' odd cases).
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// A number. Literals beyond `Double`'s range (`1e999`) are kept as ±infinity.
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// An object's members in source order, duplicates kept.
    case object([JSONObjectMember])

    /// The value of the last member with that key, or nil (also when this is not an object).
    /// - Complexity: O(members), no allocation.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }
}

/// One member of a `JSONValue.object`.
public struct JSONObjectMember: Equatable, Sendable {
    public var key: String
    public var value: JSONValue

    /// Creates a member.
    /// - Complexity: O(1).
    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// Why `JSONValue.parse` rejected a document, and where.
public struct JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Byte offset of the offending byte (or of the end of input) in the document.
    public var offset: Int
    /// 1-based line of `offset` (lines end with LF).
    public var line: Int
    /// 1-based column of `offset`, counted in bytes from the start of the line.
    public var column: Int
    /// Human-readable message, e.g. "expected ',' or '}' after an object member".
    public var message: String

    /// Creates an error.
    /// - Complexity: O(1).
    public init(offset: Int, line: Int, column: Int, message: String) {
        self.offset = offset
        self.line = line
        self.column = column
        self.message = message
    }

    /// "line L, column C: message".
    public var description: String {
        "line \(line), column \(column): \(message)"
    }
}

extension JSONValue {
    /// Parses a whole document (may span many lines; used for rules files). Uses the same strict grammar and depth
    /// limit.
    ///
    /// Accepts exactly what `JSONScanner.scan` accepts (with `maxDepth` levels of arrays/objects), so a leading
    /// UTF-8 BOM is an error here too. Duplicate keys are kept in order.
    /// - Complexity: O(n) in the document size; allocates the tree (strings, arrays) and one scratch buffer.
    /// - Throws: `JSONSyntaxError` with the first error's position and a message.
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = 512) throws(JSONSyntaxError) -> JSONValue
    {
        let result: Result<JSONValue, JSONSyntaxError>? = bytes.withContiguousStorageIfAvailable { buffer in
            parse(buffer: UnsafeRawBufferPointer(buffer), maxDepth: maxDepth)
        }
        if let result {
            return try result.get()
        }
        let copy = Array(bytes)
        return try copy.withUnsafeBytes { parse(buffer: $0, maxDepth: maxDepth) }.get()
    }

    private static func parse(buffer: UnsafeRawBufferPointer, maxDepth: Int) -> Result<JSONValue, JSONSyntaxError> {
        var parser = TreeParser(bytes: buffer, maxDepth: maxDepth)
        do throws(JSONSyntaxError) {
            return .success(try parser.document())
        } catch {
            return .failure(error)
        }
    }

    /// Serialises compactly (keys in source order, numbers: integral values within 2^53 written without fraction,
    /// others with Swift's shortest round-trip description, strings escaped per RFC 8259 with \" \\ \n \r \t \b \f
    /// and \u00XX for other controls, non-ASCII written as UTF-8).
    ///
    /// Numbers JSON cannot express are written so the output stays valid JSON: ±infinity as `1e999` / `-1e999`
    /// (which parse back to ±infinity) and NaN as `null`. Negative zero is written `-0`.
    /// - Complexity: O(size of the tree); allocates the output.
    public func serialized() -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        serialize(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private func serialize(into out: inout [UInt8]) {
        switch self {
        case .null:
            out.append(contentsOf: "null".utf8)
        case .bool(let flag):
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number):
            Self.serialize(number: number, into: &out)
        case .string(let string):
            Self.serialize(string: string, into: &out)
        case .array(let elements):
            out.append(JSONByte.openBracket)
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(JSONByte.comma) }
                element.serialize(into: &out)
            }
            out.append(JSONByte.closeBracket)
        case .object(let members):
            out.append(JSONByte.openBrace)
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(JSONByte.comma) }
                Self.serialize(string: member.key, into: &out)
                out.append(JSONByte.colon)
                member.value.serialize(into: &out)
            }
            out.append(JSONByte.closeBrace)
        }
    }

    private static func serialize(number: Double, into out: inout [UInt8]) {
        if number.isNaN {
            out.append(contentsOf: "null".utf8)
        } else if number.isInfinite {
            out.append(contentsOf: (number < 0 ? "-1e999" : "1e999").utf8)
        } else if number == 0 {
            out.append(contentsOf: (number.sign == .minus ? "-0" : "0").utf8)
        } else if number.magnitude <= Double(JSONNumber.maxExactInteger) && number.rounded(.towardZero) == number {
            out.append(contentsOf: String(Int64(number)).utf8)
        } else {
            out.append(contentsOf: number.description.utf8)  // shortest round trip, e.g. 0.1, 1e+22, 5e-324
        }
    }

    private static func serialize(string: String, into out: inout [UInt8]) {
        let hexDigits: StaticString = "0123456789abcdef"
        out.append(JSONByte.quote)
        for byte in string.utf8 {
            switch byte {
            case JSONByte.quote: out.append(contentsOf: [JSONByte.backslash, JSONByte.quote])
            case JSONByte.backslash: out.append(contentsOf: [JSONByte.backslash, JSONByte.backslash])
            case JSONByte.newline: out.append(contentsOf: [JSONByte.backslash, UInt8(ascii: "n")])
            case JSONByte.carriageReturn: out.append(contentsOf: [JSONByte.backslash, UInt8(ascii: "r")])
            case JSONByte.tab: out.append(contentsOf: [JSONByte.backslash, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [JSONByte.backslash, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [JSONByte.backslash, UInt8(ascii: "f")])
            case 0..<0x20:
                out.append(contentsOf: [JSONByte.backslash, UInt8(ascii: "u"), JSONByte.zero, JSONByte.zero])
                out.append(hexDigits.utf8Start[Int(byte >> 4)])
                out.append(hexDigits.utf8Start[Int(byte & 0xF)])
            default:
                out.append(byte)
            }
        }
        out.append(JSONByte.quote)
    }
}

// MARK: - Tree parser

/// Recursive descent over raw bytes building `JSONValue`s; errors carry the offset of the offending byte.
private struct TreeParser {
    let base: UnsafeRawPointer?
    let count: Int
    let maxDepth: Int
    var pos = 0
    var depth = 0
    /// Decoded bytes of the string being read (capacity reused across strings).
    var scratch: [UInt8] = []

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.base = bytes.baseAddress
        self.count = bytes.count
        self.maxDepth = maxDepth
    }

    func byte(_ offset: Int) -> UInt8 {
        base.unsafelyUnwrapped.load(fromByteOffset: offset, as: UInt8.self)
    }

    /// An error at `offset` with line and column computed from the bytes before it.
    func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        let offset = offset ?? pos
        var line = 1
        var lineStart = 0
        for i in 0..<min(offset, count) where byte(i) == JSONByte.newline {
            line += 1
            lineStart = i + 1
        }
        return JSONSyntaxError(offset: offset, line: line, column: offset - lineStart + 1, message: message)
    }

    /// Describes the byte at `pos` for messages: `'x'` for printable ASCII, else `byte 0xXX`.
    func describeCurrent() -> String {
        guard pos < count else { return "end of input" }
        let c = byte(pos)
        if c > 0x20 && c < 0x7F {
            return "'\(Character(Unicode.Scalar(c)))'"
        }
        let hex = String(c, radix: 16, uppercase: true)
        return "byte 0x\(hex.count == 1 ? "0" + hex : hex)"
    }

    mutating func skipWhitespace() {
        while pos < count && JSONByte.isWhitespace(byte(pos)) {
            pos += 1
        }
    }

    mutating func document() throws(JSONSyntaxError) -> JSONValue {
        if count >= 3 && byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF {
            throw error("a UTF-8 byte-order mark is not allowed", at: 0)
        }
        skipWhitespace()
        let value = try value()
        skipWhitespace()
        guard pos == count else { throw error("unexpected \(describeCurrent()) after the JSON value") }
        return value
    }

    mutating func value() throws(JSONSyntaxError) -> JSONValue {
        guard pos < count else { throw error("unexpected end of input, expected a value") }
        switch byte(pos) {
        case JSONByte.openBrace:
            return try object()
        case JSONByte.openBracket:
            return try array()
        case JSONByte.quote:
            return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case JSONByte.minus, JSONByte.zero...JSONByte.nine:
            return .number(try number())
        default:
            throw error("unexpected \(describeCurrent()), expected a value")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let length = word.utf8CodeUnitCount
        for i in 0..<length where pos + i >= count || byte(pos + i) != word.utf8Start[i] {
            throw error("invalid literal, expected '\(word)'")
        }
        pos += length
    }

    mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > maxDepth {
            throw error("nesting deeper than \(maxDepth) levels")
        }
    }

    mutating func array() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        pos += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if pos < count && byte(pos) == JSONByte.closeBracket {
            pos += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try value())
            skipWhitespace()
            guard pos < count else {
                throw error("unexpected end of input, expected ',' or ']' after an array element")
            }
            let c = byte(pos)
            if c == JSONByte.comma {
                pos += 1
                skipWhitespace()
                if pos < count && byte(pos) == JSONByte.closeBracket {
                    throw error("trailing comma: expected a value after ','")
                }
            } else if c == JSONByte.closeBracket {
                pos += 1
                depth -= 1
                return .array(elements)
            } else {
                throw error("expected ',' or ']' after an array element")
            }
        }
    }

    mutating func object() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        pos += 1
        var members: [JSONObjectMember] = []
        skipWhitespace()
        if pos < count && byte(pos) == JSONByte.closeBrace {
            pos += 1
            depth -= 1
            return .object(members)
        }
        while true {
            guard pos < count && byte(pos) == JSONByte.quote else {
                let after = members.isEmpty ? "after '{'" : "after ','"
                if pos < count && byte(pos) == JSONByte.closeBrace {
                    throw error("trailing comma: expected a string key \(after)")
                }
                throw error("expected a string key \(after), found \(describeCurrent())")
            }
            let key = try string()
            skipWhitespace()
            guard pos < count && byte(pos) == JSONByte.colon else {
                throw error("expected ':' after an object key, found \(describeCurrent())")
            }
            pos += 1
            skipWhitespace()
            members.append(JSONObjectMember(key: key, value: try value()))
            skipWhitespace()
            guard pos < count else {
                throw error("unexpected end of input, expected ',' or '}' after an object member")
            }
            let c = byte(pos)
            if c == JSONByte.comma {
                pos += 1
                skipWhitespace()
            } else if c == JSONByte.closeBrace {
                pos += 1
                depth -= 1
                return .object(members)
            } else {
                throw error("expected ',' or '}' after an object member")
            }
        }
    }

    /// Reads a string starting at its opening quote, validating and decoding it.
    mutating func string() throws(JSONSyntaxError) -> String {
        let start = pos
        pos += 1
        scratch.removeAll(keepingCapacity: true)
        guard let base else { throw error("unterminated string", at: start) }
        while true {
            guard pos < count else { throw error("unterminated string (opened at offset \(start))") }
            let c = byte(pos)
            if c == JSONByte.quote {
                pos += 1
                return String(decoding: scratch, as: UTF8.self)
            } else if c == JSONByte.backslash {
                var scalar: UInt32 = 0
                let next = JSONEscape.read(base, at: pos, count: count, scalar: &scalar)
                if next == JSONEscape.loneSurrogate {
                    throw error("lone UTF-16 surrogate in a \\u escape")
                } else if next < 0 {
                    throw error("invalid escape sequence")
                }
                JSONUTF8.append(scalar: scalar, to: &scratch)
                pos = next
            } else if c >= 0x80 {
                let length = JSONUTF8.sequenceLength(base, at: pos, count: count)
                guard length != 0 else { throw error("invalid UTF-8 in a string") }
                scratch.append(contentsOf: UnsafeRawBufferPointer(start: base + pos, count: length))
                pos += length
            } else if c < 0x20 {
                throw error("unescaped control character (\(describeCurrent())) in a string")
            } else {
                scratch.append(c)
                pos += 1
            }
        }
    }

    /// Reads a number token (strict grammar) and converts it; out-of-range literals become ±infinity.
    mutating func number() throws(JSONSyntaxError) -> Double {
        let start = pos
        let negative = byte(pos) == JSONByte.minus
        if negative { pos += 1 }
        guard pos < count && JSONByte.isDigit(byte(pos)) else { throw error("expected a digit after '-'") }
        if byte(pos) == JSONByte.zero {
            pos += 1
            if pos < count && JSONByte.isDigit(byte(pos)) {
                throw error("leading zeros are not allowed in numbers", at: pos - 1)
            }
        } else {
            skipDigits()
        }
        if pos < count && byte(pos) == JSONByte.dot {
            pos += 1
            guard pos < count && JSONByte.isDigit(byte(pos)) else { throw error("expected a digit after '.'") }
            skipDigits()
        }
        if pos < count && byte(pos) | 0x20 == UInt8(ascii: "e") {
            pos += 1
            if pos < count && (byte(pos) == JSONByte.plus || byte(pos) == JSONByte.minus) {
                pos += 1
            }
            guard pos < count && JSONByte.isDigit(byte(pos)) else { throw error("expected a digit in the exponent") }
            skipDigits()
        }
        let token = UnsafeRawBufferPointer(start: base.unsafelyUnwrapped + start, count: pos - start)
        return JSONNumber.double(token) ?? (negative ? -.infinity : .infinity)
    }

    mutating func skipDigits() {
        while pos < count && JSONByte.isDigit(byte(pos)) {
            pos += 1
        }
    }
}
