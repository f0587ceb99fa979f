#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The UTF-8 byte order mark (EF BB BF), dropped at the start of every input: by `LineFramer` here and by the
/// batch readers, all of which may see it arrive split over reads.
public enum ByteOrderMark {
    /// Byte `i` (0, 1 or 2) of the mark.
    @inline(__always)
    public static func byte(_ i: Int) -> UInt8 { i == 0 ? 0xEF : i == 1 ? 0xBB : 0xBF }

    /// How the first bytes of an input stand to the mark.
    public enum Prefix { case whole, partial, none }

    /// Whether `bytes` (the first bytes of an input) begin with the mark, are all the beginning of it (one or two
    /// bytes of it, or nothing yet), or cannot be it.
    public static func prefix(_ bytes: UnsafeRawBufferPointer) -> Prefix {
        for i in 0..<min(bytes.count, 3) where bytes[i] != byte(i) { return .none }
        return bytes.count >= 3 ? .whole : .partial
    }
}

/// One framed line, or the report of a line that was too long to keep.
public enum FramedLine {
    /// A non-blank line without its terminator (`\n` or `\r\n`). The bytes are valid only during the callback.
    case line(UnsafeRawBufferPointer, number: Int)
    /// A line longer than `maxLine`; `prefix` holds its first bytes (at most `LineFramer.prefixLimit`) for the
    /// dead-letter record. The rest of the line is skipped, never buffered.
    case tooLong(prefix: UnsafeRawBufferPointer, number: Int)
}

/// Splits a byte stream into lines, whatever the chunk boundaries.
///
/// Lines that lie wholly inside a chunk are handed out in place, without a copy; only a line that straddles two
/// chunks is copied into `carry`, which never grows past `maxLine` bytes: a longer line is reported as
/// `tooLong` once and the framer skips to the next `\n` (it resynchronises there). Blank lines (empty or only
/// spaces and tabs) are skipped but still numbered, so `number` is the physical line in the source. A UTF-8 byte
/// order mark at the very start of the input is dropped.
public struct LineFramer {
    /// The longest line kept, in bytes, not counting the terminator.
    public let maxLine: Int
    /// At most this many bytes of an over-long line are kept for its dead-letter record.
    public static let prefixLimit = 4096

    /// Physical lines completed so far (including blank and over-long ones).
    public private(set) var lineNumber = 0

    private var carry: [UInt8] = []
    private var discarding = false
    /// The first bytes of the over-long line being skipped (while `discarding`).
    private var overlong = OverlongPrefix()
    private var atStart = true

    public init(maxLine: Int = 1 << 20) {
        precondition(maxLine > 0, "maxLine must be positive")
        self.maxLine = maxLine
    }

    /// Frames `chunk`, calling `emit` for every completed line, in order.
    ///
    /// - Complexity: O(chunk.count) using `memchr`; allocates only when a partial line is carried over.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (FramedLine) throws -> Void) rethrows {
        guard var p = chunk.baseAddress, chunk.count > 0 else { return }
        var remaining = chunk.count
        if atStart {
            if !stripBOM(&p, &remaining) { return }
        }
        while remaining > 0 {
            guard let nl = memchr(p, 0x0A, remaining) else {
                // No terminator in the rest of this chunk: keep it for the next one.
                try takePartial(UnsafeRawBufferPointer(start: p, count: remaining), emit: emit)
                return
            }
            let n = UnsafeRawPointer(nl) - p
            let piece = UnsafeRawBufferPointer(start: p, count: n)
            lineNumber += 1
            if discarding {
                discarding = false
                overlong.add(piece)
                try reportTooLong(number: lineNumber, emit)
            } else if carry.isEmpty {
                try emitLine(piece, emit)
            } else {
                if carry.count + n > maxLine + 1 {
                    overlong.start(carry)
                    overlong.add(piece)
                    try reportTooLong(number: lineNumber, emit)
                } else {
                    carry.append(contentsOf: piece)
                    try carry.withUnsafeBytes { try emitLine($0, emit) }
                }
                carry.removeAll(keepingCapacity: carry.capacity <= 1 << 16)
            }
            p += n + 1
            remaining -= n + 1
        }
    }

    /// Emits the last line when the input ended without a final `\n`.
    public mutating func finish(_ emit: (FramedLine) throws -> Void) rethrows {
        defer {
            carry.removeAll()
            overlong = OverlongPrefix()
            discarding = false
            atStart = true
        }
        if discarding {
            lineNumber += 1
            try reportTooLong(number: lineNumber, emit)
            return
        }
        guard !carry.isEmpty else { return }
        lineNumber += 1
        try carry.withUnsafeBytes { try emitLine($0, emit) }
    }

    /// Starts a new input: line numbers restart at 1 and a BOM is dropped again.
    public mutating func reset() {
        carry.removeAll()
        overlong = OverlongPrefix()
        discarding = false
        atStart = true
        lineNumber = 0
    }

    private mutating func stripBOM(_ p: inout UnsafeRawPointer, _ remaining: inout Int) -> Bool {
        // The BOM may itself straddle chunks; gather up to three bytes in `carry` to decide.
        while remaining > 0 && carry.count < 3 {
            let b = p.load(as: UInt8.self)
            if b != ByteOrderMark.byte(carry.count) {
                atStart = false
                return true  // carry keeps the bytes seen so far as the start of the first line
            }
            carry.append(b)
            p += 1
            remaining -= 1
        }
        if carry.count == 3 {
            carry.removeAll(keepingCapacity: true)
            atStart = false
            return true
        }
        return false
    }

    private mutating func takePartial(_ piece: UnsafeRawBufferPointer, emit: (FramedLine) throws -> Void) rethrows {
        if discarding {
            overlong.add(piece)
            return
        }
        // +1 leaves room for a `\r` that may belong to a `\r\n` terminator.
        if carry.count + piece.count > maxLine + 1 {
            // Too long: its first bytes are kept and reported when the line ends; the rest is skipped.
            overlong.start(carry)
            overlong.add(piece)
            discarding = true
            carry.removeAll(keepingCapacity: false)
            return
        }
        carry.append(contentsOf: piece)
    }

    /// Reports the over-long line that just ended, with the first bytes `overlong` kept of it.
    private mutating func reportTooLong(
        number: Int, _ emit: (FramedLine) throws -> Void
    ) rethrows {
        let prefix = overlong.record()
        let blank = overlong.isBlank
        overlong = OverlongPrefix()
        if blank { return }  // a blank line, not a line: numbered, never reported
        try prefix.withUnsafeBytes { try emit(.tooLong(prefix: $0, number: number)) }
    }

    @inline(__always)
    private func emitLine(_ raw: UnsafeRawBufferPointer, _ emit: (FramedLine) throws -> Void) rethrows {
        var n = raw.count
        if n > 0 && raw[n - 1] == 0x0D { n -= 1 }
        if n == 0 { return }
        let first = raw[0]
        if first == 0x20 || first == 0x09 {
            var blank = true
            for i in 0..<n where raw[i] != 0x20 && raw[i] != 0x09 {
                blank = false
                break
            }
            if blank { return }  // blank, however long: not a line
        }
        if n > maxLine {
            try emit(
                .tooLong(
                    prefix: UnsafeRawBufferPointer(rebasing: raw[0..<min(n, LineFramer.prefixLimit)]),
                    number: lineNumber))
            return
        }
        try emit(.line(UnsafeRawBufferPointer(rebasing: raw[0..<n]), number: lineNumber))
    }
}

/// The first bytes of an over-long line, gathered while the rest of it is skipped: its dead-letter record keeps
/// the line cut to 4 KiB, as every record's `raw` is (SPEC §7), whatever `--max-line` is and however the line
/// arrived in reads. Every framer (this file's, the batch reader's, the live reader's) gathers them this way.
public struct OverlongPrefix: Sendable {
    /// Bytes gathered: one more than a record keeps, so that the `\r` of a `\r\n` right after 4 KiB of line is known
    /// as the terminator's.
    static let gathered = LineFramer.prefixLimit + 1

    private var bytes: [UInt8] = []
    /// Bytes of the line past the gathered ones were skipped.
    private var cut = false
    /// Every byte so far is a space or a tab (or a `\r` that may be the terminator's): a blank line, which is no
    /// line (SPEC §2) however long, and gets no record.
    public private(set) var isBlank = true
    /// The last byte seen was a `\r` (blank only if it ends the line).
    private var pendingReturn = false

    public init() {}

    /// Starts over with the line's first bytes.
    public mutating func start(_ first: some Collection<UInt8>) {
        bytes.removeAll(keepingCapacity: true)
        cut = false
        isBlank = true
        pendingReturn = false
        add(first)
    }

    /// Adds the line's next bytes (up to its `\n`, when they reach it).
    /// - Complexity: O(bytes kept), and while the line is blank O(bytes); allocates only while the first 4 KiB
    ///   come in.
    public mutating func add(_ more: some Collection<UInt8>) {
        if isBlank {
            for b in more {
                if pendingReturn || (b != 0x20 && b != 0x09 && b != 0x0D) {
                    isBlank = false
                    break
                }
                pendingReturn = b == 0x0D
            }
        }
        let room = OverlongPrefix.gathered - bytes.count
        if more.count > room { cut = true }
        if room > 0 { bytes.append(contentsOf: more.prefix(room)) }
    }

    /// The record's bytes once the line has ended (by its `\n`, or by the end of the input): without a final `\r`
    /// when the whole line was kept (the terminator's, as for every line), at most 4 KiB.
    public func record() -> [UInt8] {
        var n = bytes.count
        if !cut && n > 0 && bytes[n - 1] == 0x0D { n -= 1 }
        return Array(bytes.prefix(min(n, LineFramer.prefixLimit)))
    }
}
