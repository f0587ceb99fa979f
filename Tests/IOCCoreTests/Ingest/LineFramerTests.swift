import Testing

@testable import IOCCore

/// What the framer produced, in order.
enum Framed: Equatable {
    case line(String, Int)
    case tooLong(prefixCount: Int, Int)
}

/// Feeds `input` in pieces of the given sizes (cycling), then finishes.
func frame(_ input: [UInt8], chunks: [Int], maxLine: Int = 1 << 20) -> [Framed] {
    var framer = LineFramer(maxLine: maxLine)
    var out: [Framed] = []
    let collect: (FramedLine) -> Void = { f in
        switch f {
        case .line(let raw, let n): out.append(.line(String(decoding: raw, as: UTF8.self), n))
        case .tooLong(let prefix, let n): out.append(.tooLong(prefixCount: prefix.count, n))
        }
    }
    var i = 0
    var c = 0
    while i < input.count {
        let size = max(1, chunks[c % chunks.count])
        let end = min(input.count, i + size)
        input[i..<end].withUnsafeBytes { framer.feed($0, collect) }
        i = end
        c += 1
    }
    framer.finish(collect)
    return out
}

@Suite("LineFramer")
struct LineFramerTests {
    static let text = Array("{\"a\":1}\r\n\n{\"b\":2}\n   \n{\"c\":\"x y\"}\r\n{\"d\":4}".utf8)
    static let expected: [Framed] = [
        .line("{\"a\":1}", 1), .line("{\"b\":2}", 3), .line("{\"c\":\"x y\"}", 5),
        .line("{\"d\":4}", 6),
    ]

    @Test("Same lines whatever the chunk sizes", arguments: [[1], [2], [3], [7], [5, 1, 9], [1000]])
    func chunking(_ chunks: [Int]) {
        #expect(frame(Self.text, chunks: chunks) == Self.expected)
    }

    @Test func crlfBlankAndNoFinalNewline() {
        #expect(frame(Array("a\r\n\r\n\t \nb".utf8), chunks: [100]) == [.line("a", 1), .line("b", 4)])
    }

    @Test func emptyInputGivesNothing() {
        #expect(frame([], chunks: [1]).isEmpty)
        #expect(frame(Array("\n\n\n".utf8), chunks: [1]).isEmpty)
    }

    @Test func byteOrderMarkDroppedAtStartOnly() {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let input = bom + Array("x\n".utf8) + bom + Array("y\n".utf8)
        for chunk in [1, 2, 100] {
            let out = frame(input, chunks: [chunk])
            #expect(out.count == 2)
            #expect(out.first == .line("x", 1))
            if case .line(let second, let n) = out.last {
                #expect(Array(second.utf8) == bom + Array("y".utf8))
                #expect(n == 2)
            }
        }
    }

    @Test(
        "A 5 MB line between two good lines is reported once, the rest kept",
        arguments: [[1 << 16], [4093], [7, 100_000]])
    func longLineResynchronises(_ chunks: [Int]) {
        var input = Array("{\"first\":1}\n".utf8)
        input += [UInt8](repeating: 0x61, count: 5_000_000)
        input += Array("\n{\"last\":2}\n".utf8)
        let out = frame(input, chunks: chunks, maxLine: 1 << 20)
        #expect(out == [.line("{\"first\":1}", 1), .tooLong(prefixCount: 4096, 2), .line("{\"last\":2}", 3)])
    }

    @Test func lineOfExactlyMaxLineIsKept() {
        let line = String(repeating: "x", count: 10)
        #expect(
            frame(Array((line + "\r\n" + line + "y\n").utf8), chunks: [3], maxLine: 10)
                == [.line(line, 1), .tooLong(prefixCount: 11, 2)])
        // In one chunk, too; an over-long line's record keeps all of it (under 4 KiB), not its `\r`.
        #expect(
            frame(Array((line + "\n" + line + "yz\r\n").utf8), chunks: [100], maxLine: 10)
                == [.line(line, 1), .tooLong(prefixCount: 12, 2)])
    }

    @Test func overLongLastLineWithoutNewline() {
        for chunk in [4, 100] {
            let out = frame(Array(("ok\n" + String(repeating: "z", count: 50)).utf8), chunks: [chunk], maxLine: 20)
            #expect(out.count == 2)
            #expect(out.first == .line("ok", 1))
            // The record keeps the whole line (under 4 KiB), whatever the chunks.
            #expect(out.last == .tooLong(prefixCount: 50, 2))
        }
    }

    @Test func resetRestartsLineNumbers() {
        var framer = LineFramer()
        var numbers: [Int] = []
        Array("a\nb\n".utf8).withUnsafeBytes { framer.feed($0) { if case .line(_, let n) = $0 { numbers.append(n) } } }
        framer.reset()
        Array("c\n".utf8).withUnsafeBytes { framer.feed($0) { if case .line(_, let n) = $0 { numbers.append(n) } } }
        #expect(numbers == [1, 2, 1])
    }
}
