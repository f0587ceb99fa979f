import IOCCore
import Testing

/// A valid metric line; `name` makes it as long as needed.
private func metric(name: String = "m") -> String {
    #"{"kind":"metric","ts":"2026-11-22T08:00:00Z","name":""# + name + #"","value":1}"#
}

/// What the parse stage made of each line, as comparable values.
private enum Seen: Equatable {
    case event(line: Int, start: Int, count: Int)
    case rejected(RejectReason, line: Int32, start: Int32, count: Int32)
    case ignored
}

private func parse(_ text: String, maxLine: Int = 200, truncatedTail: Bool = false) -> [Seen] {
    var parser = BatchParser(rules: .default, maxLine: maxLine, maxFuture: .max / 2)
    return parse(text, with: &parser, truncatedTail: truncatedTail)
}

private func parse(_ text: String, with parser: inout BatchParser, truncatedTail: Bool = false) -> [Seen] {
    let bytes = Array(text.utf8)
    let batch = Batch(capacity: bytes.count + 16)
    bytes.withUnsafeBytes { batch.storage.copyMemory(from: $0) }
    batch.count = bytes.count
    batch.truncatedTail = truncatedTail
    parser.parse(batch)
    return batch.outcomes.map { outcome in
        switch outcome {
        case .event(let i):
            let e = batch.events[Int(i)]
            return .event(line: e.lineNumber, start: Int(e.lineStart), count: Int(e.lineCount))
        case .rejected(let reason, let line, let start, let count):
            return .rejected(reason, line: line, start: start, count: count)
        case .ignored:
            return .ignored
        }
    }
}

/// The parse stage finds most lines' ends with the scan itself (`EventValidator.validateLine`); every line it
/// cannot take to a line feed is cut first and validated as before. Either way each physical line must get the
/// outcome, line number and raw bytes that cutting at `\n` gives.
@Suite("BatchParser line framing")
struct BatchParserTests {
    @Test func everyKindOfLineGetsTheOutcomeOfItsCutLine() {
        let m = metric()
        let n = m.utf8.count
        let lines = [
            m + "\r",  // 1: CRLF, the CR not part of the line
            m + " \t",  // 2: trailing blanks are part of the line
            #"{"kind":"metric","#,  // 3: an object cut by a line feed: both halves malformed
            #""name":"m","value":1}"#,  // 4
            "",  // 5: empty
            "   ",  // 6: blank
            m + " x",  // 7: trailing garbage
            "[1,2]",  // 8: not an object
            #"{"kind":"metric","ts":"2026-11-22T08:00:00Z","name":"a"#,  // 9: a line feed in a string
            #"b","value":1}"#,  // 10
            m + "\r\r",  // 11: only the last CR goes
            #"{"kind":"metric","ts":"2026-11-22T08:00:00Z","name":"m"}"#,  // 12: no value
            m,  // 13: the last line, without a line feed
        ]
        var starts: [Int] = []
        var offset = 0
        for line in lines {
            starts.append(offset)
            offset += line.utf8.count + 1
        }
        let got = parse(lines.joined(separator: "\n"))
        let expected: [Seen] = [
            .event(line: 1, start: starts[0], count: n),
            .event(line: 2, start: starts[1], count: n + 2),
            .rejected(.malformedJSON, line: 3, start: Int32(starts[2]), count: Int32(lines[2].utf8.count)),
            .rejected(.malformedJSON, line: 4, start: Int32(starts[3]), count: Int32(lines[3].utf8.count)),
            .rejected(.malformedJSON, line: 7, start: Int32(starts[6]), count: Int32(n + 2)),
            .rejected(.notObject, line: 8, start: Int32(starts[7]), count: 5),
            .rejected(.malformedJSON, line: 9, start: Int32(starts[8]), count: Int32(lines[8].utf8.count)),
            .rejected(.malformedJSON, line: 10, start: Int32(starts[9]), count: Int32(lines[9].utf8.count)),
            .event(line: 11, start: starts[10], count: n + 1),
            .rejected(.missingField(.value), line: 12, start: Int32(starts[11]), count: Int32(lines[11].utf8.count)),
            .event(line: 13, start: starts[12], count: n),
        ]
        #expect(got == expected)
    }

    @Test func aLineLongerThanMaxLineIsRejectedWhateverItHolds() {
        let base = metric().utf8.count
        let exact = metric(name: String(repeating: "x", count: 101 - base))  // 100 bytes
        let over = metric(name: String(repeating: "x", count: 102 - base))  // 101 bytes
        #expect(exact.utf8.count == 100 && over.utf8.count == 101)
        let got = parse([exact, over, exact + "\r", over + "\r"].joined(separator: "\n") + "\n", maxLine: 100)
        // The record keeps the whole over-long line (under 4 KiB), without its `\r`.
        #expect(
            got == [
                .event(line: 1, start: 0, count: 100),
                .rejected(.lineTooLong, line: 2, start: 101, count: 101),
                .event(line: 3, start: 203, count: 100),
                .rejected(.lineTooLong, line: 4, start: 305, count: 101),
            ])
    }

    /// A parser checks once per batch, not per line, that its buffers are its own: a copy made between batches
    /// must still get its own before it writes (two workers' parsers must never share a member buffer).
    @Test func aCopiedParserGetsItsOwnMemberBufferBeforeWriting() {
        var original = BatchParser(rules: .default, maxLine: 1 << 20, maxFuture: .max / 2)
        let short = metric()
        #expect(parse(short, with: &original) == parse(short))
        let capacity = original.validator.scanner.memberCapacity
        var copy = original
        // More members than the buffer holds: the copy's buffer grows.
        let extra = (1...capacity * 2).map { "\"x\($0)\":1" }.joined(separator: ",")
        let wide = #"{"kind":"metric","ts":"2026-11-22T08:00:00Z","name":"m","value":1,"# + extra + "}"
        #expect(parse(wide, with: &copy) == parse(wide, maxLine: 1 << 20))
        #expect(copy.validator.scanner.memberCapacity > capacity)
        #expect(original.validator.scanner.memberCapacity == capacity)
        #expect(parse(short, with: &original) == parse(short))
    }

    /// A batch keeps its events and outcomes in raw storage that it frees without deinitializing them: both must
    /// stay trivial types (no references, no strings).
    @Test func eventsAndOutcomesAreTrivialTypes() {
        #expect(_isPOD(Event.self))
        #expect(_isPOD(BatchOutcome.self))
    }

    @Test func aLastLineCutByAClosedConnectionIsTruncatedEvenWhenItParses() {
        let m = metric()
        let n = m.utf8.count
        let got = parse(m + "\n" + m, truncatedTail: true)
        #expect(
            got == [
                .event(line: 1, start: 0, count: n),
                .rejected(.truncated, line: 2, start: Int32(n + 1), count: Int32(n)),
            ])
    }
}
