/// Cuts a byte stream into lines for `ioc top` (snapshots are a few KiB, so a simple growing buffer is enough;
/// this is not the hot path of `ioc run`).
///
/// A line longer than `maxLine` is dropped up to its newline and counted in `overlong`, so a stray binary file
/// cannot grow memory without bound.
public struct LineBuffer: Sendable {
    public let maxLine: Int
    private var pending: [UInt8] = []
    private var discarding = false
    /// Lines dropped for being longer than `maxLine`.
    public private(set) var overlong = 0

    public init(maxLine: Int = 16 << 20) {
        self.maxLine = maxLine
    }

    /// Appends `bytes` and calls `body` with every line completed (without its `\n`).
    public mutating func append(_ bytes: some Collection<UInt8>, _ body: (ArraySlice<UInt8>) -> Void) {
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            let length = pending.count + bytes.distance(from: start, to: newline)
            if discarding {
                discarding = false
            } else if length > maxLine {
                pending.removeAll(keepingCapacity: true)
                overlong += 1
            } else if pending.isEmpty {
                body(ArraySlice(bytes[start..<newline]))
            } else {
                pending.append(contentsOf: bytes[start..<newline])
                body(pending[...])
                pending.removeAll(keepingCapacity: true)
            }
            start = bytes.index(after: newline)
        }
        guard !discarding else { return }
        pending.append(contentsOf: bytes[start...])
        if pending.count > maxLine {
            pending.removeAll()
            discarding = true
            overlong += 1
        }
    }

    /// Ends the stream: a last line without a newline is still a line.
    public mutating func finish(_ body: (ArraySlice<UInt8>) -> Void) {
        if !pending.isEmpty && !discarding { body(pending[...]) }
        reset()
    }

    /// Forgets a partial line (the stream it belonged to is gone: a reconnect, a replaced file).
    /// - Returns: whether a partial line was dropped (the caller counts it as skipped).
    @discardableResult
    public mutating func reset() -> Bool {
        let dropped = !pending.isEmpty
        pending.removeAll(keepingCapacity: true)
        discarding = false
        return dropped
    }
}
