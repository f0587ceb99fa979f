import Foundation
import IOCCore
import IOCRuntime
import IOCTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ioc run` as a live service (SPEC §4, §6, §9): senders stream into `--listen` sockets, subscribers watch
/// `--publish`, files are tailed with `--follow`. Every wait is bounded; nothing here asserts timing.
@Suite("Live service", .serialized)
struct LiveServiceTests {
    /// Lines a subscriber has received, from its reading thread.
    final class Received: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    private static func generatedFeed(events: Int, seed: Int, bad: String) throws -> [String] {
        let gen = try ProcessRunner.ioc(["gen", "--events", "\(events)", "--seed", "\(seed)", "--bad", bad])
        #expect(gen.status == 0)
        return gen.stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// `ioc run` listening on a Unix socket in `dir` (plus `extra` flags), with provisional snapshots every 100 ms
    /// into `latest.json` and dead letters and totals in `dl.ndjson` and `totals.json` there.
    private static func unixListener(in dir: URL, _ extra: [String] = []) throws -> (LiveProcess, SocketAddress) {
        let address = SocketAddress.unix(path: dir.appendingPathComponent("in.sock").path)
        let flags = [
            "--every", "100ms", "--latest", "latest.json", "--dead-letter", "dl.ndjson", "--totals", "totals.json",
            "--snapshots", "/dev/null",
        ]
        return (try LiveProcess(["run", "--listen", address.description] + extra + flags, in: dir), address)
    }

    private static func finals(_ lines: [String]) -> [String] { lines.filter { $0.contains("\"final\":true") } }

    /// The records of the `dl.ndjson` dead-letter file a run wrote into `dir`, each parsed (a line that does not
    /// parse fails the test).
    private static func deadLetters(in dir: URL) throws -> [JSONValue] {
        try String(contentsOf: dir.appendingPathComponent("dl.ndjson"), encoding: .utf8)
            .split(separator: "\n").map { try JSONValue.parse(Array($0.utf8)) }
    }

    /// The `--totals` file a run wrote into `dir`.
    private static func totals(in dir: URL) throws -> JSONValue {
        try JSONValue.parse(Array(try Data(contentsOf: dir.appendingPathComponent("totals.json"))))
    }

    /// Waits (at most `timeout` seconds) until the `--latest` file holds a snapshot whose member at `path` is
    /// `value`.
    private static func latest(_ file: URL, _ path: String, becomes value: Int, timeout: Double = 30) -> Bool {
        eventually(timeout: timeout) {
            guard let data = try? Data(contentsOf: file), let s = try? JSONValue.parse(Array(data)) else {
                return false
            }
            return s.at(path)?.int == value
        }
    }

    /// The issue's acceptance test: 50 senders at once over TCP and a Unix socket, three subscribers of which one
    /// never reads. Every line sent is accounted for, the stalled subscriber is dropped, the others get every
    /// final snapshot, and the run drains and exits 0 on SIGTERM.
    @Test func fiftySendersThreeSubscribersOneStalled() throws {
        let dir = try makeTestDirectory("live")
        defer { try? FileManager.default.removeItem(at: dir) }
        let feed = try Self.generatedFeed(events: 60_000, seed: 11, bad: "0.02")
        let port = freeTCPPort()
        let tcp = try SocketAddress.parse("tcp://127.0.0.1:\(port)").get()
        let unix = SocketAddress.unix(path: dir.appendingPathComponent("in.sock").path)
        let pub = SocketAddress.unix(path: dir.appendingPathComponent("pub.sock").path)
        let run = try LiveProcess(
            [
                "run", "--listen", tcp.description, "--listen", unix.description, "--publish", pub.description,
                "--window", "2s", "--lateness", "1s", "--every", "100ms", "--snapshots", "snaps.ndjson",
                "--totals", "totals.json", "--dead-letter", "dl.ndjson",
            ], in: dir)

        // Subscribers first: two read everything, one connects with a tiny buffer and never reads.
        let readers = [Received(), Received()]
        let readerDone = DispatchGroup()
        for r in readers {
            let socket = try TestSocket(pub)
            readerDone.enter()
            Thread.detachNewThread {
                socket.readLines { r.append($0) }
                socket.close()
                readerDone.leave()
            }
        }
        let stalled = try TestSocket(pub, receiveBuffer: 4096)

        // 50 senders, each streaming every 50th line in order, half over TCP and half over the Unix socket.
        let senders = 50
        let sendersDone = DispatchGroup()
        let failures = Atomic<Int>(0)
        for i in 0..<senders {
            let address = i % 2 == 0 ? tcp : unix
            let mine = stride(from: i, to: feed.count, by: senders).map { feed[$0] }
            sendersDone.enter()
            Thread.detachNewThread {
                defer { sendersDone.leave() }
                guard let socket = try? TestSocket(address) else {
                    failures.add(1, ordering: .relaxed)
                    return
                }
                var chunk: [UInt8] = []
                for line in mine {
                    chunk.append(contentsOf: line.utf8)
                    chunk.append(0x0A)
                    if chunk.count > 16_384 {
                        if !socket.send(chunk) { failures.add(1, ordering: .relaxed) }
                        chunk.removeAll(keepingCapacity: true)
                    }
                }
                if !socket.send(chunk) { failures.add(1, ordering: .relaxed) }
                socket.close()
            }
        }
        #expect(sendersDone.wait(timeout: .now() + 120) == .success, "senders did not finish")
        #expect(failures.load(ordering: .relaxed) == 0)

        // Ingestion finishes: a provisional snapshot shows every line counted.
        let allCounted = eventually(timeout: 60) {
            guard let last = readers[0].all.last, let snapshot = try? JSONValue.parse(Array(last.utf8)) else {
                return false
            }
            return snapshot.at("pipeline.lines")?.int == feed.count
        }
        #expect(allCounted, "the run never counted all \(feed.count) lines")
        #expect(run.stop() == 0, "ioc run did not exit 0 after SIGTERM: \(run.stderr)")
        #expect(readerDone.wait(timeout: .now() + 30) == .success, "subscribers were not closed at the end")

        // Every line sent is accounted for.
        let totals = try Self.totals(in: dir)
        let lines = totals.at("lines")?.int ?? -1
        let accounted =
            (totals.at("accepted")?.int ?? 0) + (totals.at("rejected")?.int ?? 0) + (totals.at("ignored")?.int ?? 0)
        #expect(lines == feed.count)
        #expect(accounted == feed.count)
        #expect(totals.at("dropped")?.int == 0)
        #expect((totals.at("rejected")?.int ?? 0) > 0, "the feed's bad lines are rejected, not lost")

        // The stalled subscriber was disconnected, the others were not.
        let stalledBytes = stalled.drain()
        stalled.close()
        #expect(run.stderr.contains("fell"), "no note of the dropped subscriber: \(run.stderr)")
        let snapshots = try String(contentsOf: dir.appendingPathComponent("snaps.ndjson"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let published = snapshots.reduce(0) { $0 + $1.utf8.count + 1 }
        #expect(stalledBytes < published, "the stalled subscriber received everything (\(stalledBytes) bytes)")
        let last = try JSONValue.parse(Array(snapshots.last!.utf8))
        #expect(last.at("pipeline.subscribers_dropped")?.int == 1)
        #expect(last.at("pipeline.ring_fill")?.number != nil)

        // The others received every final snapshot, byte for byte and in order.
        let finals = Self.finals(snapshots)
        #expect(finals.count > 20)
        for r in readers {
            #expect(Self.finals(r.all) == finals)
        }
        // Connections interleave, so many events arrive after their window closed: still accounted for.
        #expect((totals.at("late")?.int ?? 0) >= 0)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("in.sock").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("pub.sock").path))
    }

    /// 256 senders connected at the same time, one of which floods without end and one of which sends an
    /// over-long line: the other senders' lines are all counted while the flood goes on, and the long line is
    /// `line_too_long` on its own connection only.
    @Test func twoHundredFiftySixConcurrentSendersAndAFlood() throws {
        let dir = try makeTestDirectory("many")
        defer { try? FileManager.default.removeItem(at: dir) }
        let address = try SocketAddress.parse("tcp://127.0.0.1:\(freeTCPPort())").get()
        let run = try LiveProcess(
            [
                "run", "--listen", address.description, "--every", "100ms", "--latest", "latest.json",
                "--max-line", "1000", "--totals", "totals.json", "--dead-letter", "dl.ndjson", "--snapshots",
                "/dev/null",
            ], in: dir)
        let ts = Timestamp.string(wallClockNanoseconds())
        @Sendable func line(_ sensor: String) -> [UInt8] {
            Array(#"{"kind":"traffic","ts":"\#(ts)","sensor":"\#(sensor)","vehicles":3,"speed_kmh":41}"#.utf8) + [0x0A]
        }
        // The flood: one sender writing as fast as it can until told to stop.
        let flooding = Atomic<Bool>(true)
        let floodLines = Atomic<Int>(0)
        let floodDone = DispatchSemaphore(value: 0)
        let flooder = try TestSocket(address)
        Thread.detachNewThread {
            let block = [UInt8]((0..<500).flatMap { _ in line("flood") })
            while flooding.load(ordering: .relaxed) && flooder.send(block) { floodLines.add(500, ordering: .relaxed) }
            flooder.close()
            floodDone.signal()
        }
        // 256 more connections, all open at once before any of them sends.
        var sockets: [TestSocket] = []
        for _ in 0..<256 { sockets.append(try TestSocket(address)) }
        for (i, s) in sockets.enumerated() {
            if i == 7 { s.send(Array(repeating: 0x78, count: 5000) + [0x0A]) }
            for _ in 0..<4 { s.send(line("S-\(i)")) }
        }
        for s in sockets { s.close() }
        // Each of the 256 senders' 4 lines is counted while the flood is still running.
        let latest = dir.appendingPathComponent("latest.json")
        let othersCounted = Self.latest(latest, "traffic.sensors_online", becomes: 257, timeout: 60)
        #expect(othersCounted, "the flood starved the other senders")
        flooding.store(false, ordering: .relaxed)
        #expect(floodDone.wait(timeout: .now() + 30) == .success)
        // Everything sent is read before the run is stopped (a stop cuts what is still in flight: `truncated`).
        let sent = floodLines.load(ordering: .relaxed) + 256 * 4 + 1
        #expect(Self.latest(latest, "pipeline.lines", becomes: sent, timeout: 60))
        #expect(run.stop() == 0)
        let deadLetters = try Self.deadLetters(in: dir)
        #expect(deadLetters.map { $0.at("reason")?.string } == ["line_too_long"])
        #expect(deadLetters.first?.at("line")?.int == 1)
        let totals = try Self.totals(in: dir)
        #expect((totals.at("accepted")?.int ?? 0) > 256 * 4)
        #expect(totals.at("rejected")?.int == 1)
    }

    /// Over-long lines in a row on one connection: each gets its own `line_too_long` record with its own line
    /// number and the line cut to 4 KiB, and the lines after them count on.
    @Test func consecutiveOverLongLinesOnAConnection() throws {
        let dir = try makeTestDirectory("long")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (run, address) = try Self.unixListener(in: dir, ["--max-line", "1000"])
        let ts = Timestamp.string(wallClockNanoseconds())
        let ok = Array(#"{"kind":"metric","ts":"\#(ts)","name":"portal.up","value":1}"#.utf8) + [0x0A]
        let sender = try TestSocket(address)
        sender.send(ok)
        sender.send(Array(repeating: 0x41, count: 100_000) + [0x0A])
        sender.send(Array(repeating: 0x42, count: 100_000) + [0x0A])
        // Over --max-line but under 4 KiB, in pieces: its record keeps all of it (without the `\r`).
        let medium = Array(repeating: UInt8(0x43), count: 2999) + [0x44]
        for piece in stride(from: 0, to: medium.count, by: 700) {
            sender.send(Array(medium[piece..<min(piece + 700, medium.count)]))
            usleep(20_000)
        }
        sender.send([0x0D, 0x0A])
        // A blank line over --max-line, in pieces: no line, no record, but numbered.
        for _ in 0..<3 {
            sender.send(Array(repeating: 0x20, count: 600))
            usleep(20_000)
        }
        sender.send([0x0A])
        sender.send(Array("BAD\n".utf8))  // line 6
        sender.send(ok)
        sender.close()
        let latest = dir.appendingPathComponent("latest.json")
        #expect(Self.latest(latest, "pipeline.lines", becomes: 6))
        #expect(run.stop() == 0)
        let records = try Self.deadLetters(in: dir)
        #expect(
            records.map { $0.at("reason")?.string }
                == ["line_too_long", "line_too_long", "line_too_long", "malformed_json"])
        #expect(records.map { $0.at("line")?.int } == [2, 3, 4, 6])
        #expect(
            records.map { $0.at("raw")?.string }
                == [
                    String(repeating: "A", count: 4096), String(repeating: "B", count: 4096),
                    String(decoding: medium, as: UTF8.self), "BAD",
                ])
        let totals = try Self.totals(in: dir)
        #expect(totals.at("lines")?.int == 6)
        #expect(totals.at("accepted")?.int == 2)
    }

    /// A subscriber that closes its sending side (`nc -N`, `socat … < /dev/null`) still gets every snapshot.
    @Test func halfClosedSubscriberKeepsReceiving() throws {
        let dir = try makeTestDirectory("halfclose")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = SocketAddress.unix(path: dir.appendingPathComponent("in.sock").path)
        let pub = SocketAddress.unix(path: dir.appendingPathComponent("pub.sock").path)
        let run = try LiveProcess(
            ["run", "--listen", input.description, "--publish", pub.description, "--every", "100ms"], in: dir)
        let sender = try TestSocket(input)
        let ts = Timestamp.string(wallClockNanoseconds())
        sender.send(Array(#"{"kind":"metric","ts":"\#(ts)","name":"portal.up","value":1}"#.utf8) + [0x0A])
        let subscriber = try TestSocket(pub)
        shutdown(subscriber.fd, Int32(SHUT_WR))
        let received = Received()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            subscriber.readLines { received.append($0) }
            done.signal()
        }
        #expect(eventually(timeout: 30) { received.all.count >= 5 }, "got \(received.all.count) snapshots")
        sender.close()
        #expect(run.stop() == 0)
        #expect(done.wait(timeout: .now() + 30) == .success)
        subscriber.close()
    }

    /// A connection closed in the middle of a line gives `truncated` with the bytes that arrived; a new
    /// subscriber first gets the latest snapshot.
    @Test func connectionClosedMidLineIsTruncatedAndLatestOnConnect() throws {
        let dir = try makeTestDirectory("trunc")
        defer { try? FileManager.default.removeItem(at: dir) }
        let address = SocketAddress.unix(path: dir.appendingPathComponent("in.sock").path)
        let pub = try SocketAddress.parse("tcp://127.0.0.1:\(freeTCPPort())").get()
        let run = try LiveProcess(
            [
                "run", "--listen", address.description, "--publish", pub.description, "--every", "100ms",
                "--dead-letter", "dl.ndjson", "--totals", "totals.json", "--snapshots", "/dev/null",
            ], in: dir)
        let now = Timestamp.string(wallClockNanoseconds())
        let sender = try TestSocket(address)
        sender.send(Array(#"{"kind":"metric","ts":"\#(now)","name":"portal.up","value":1}"#.utf8) + [0x0A])
        sender.send(Array(#"{"kind":"metric","ts":"\#(now)","na"#.utf8))
        sender.close()

        // A subscriber arriving late still gets the newest snapshot straight away.
        let late = try TestSocket(pub)
        var first: String?
        Thread.detachNewThread {
            usleep(3_000_000)
            late.close()
        }
        late.readLines { line in if first == nil { first = line } }
        #expect(first?.hasPrefix(#"{"schema":"ioc.snapshot/1""#) == true)
        #expect(run.stop() == 0)
        let record = try #require(try Self.deadLetters(in: dir).first)
        #expect(record.at("reason")?.string == "truncated")
        #expect(record.at("line")?.int == 2)
        #expect(record.at("raw")?.string == #"{"kind":"metric","ts":"\#(now)","na"#)
        #expect(record.at("source")?.string?.hasPrefix(address.description) == true)
        let totals = try Self.totals(in: dir)
        #expect(totals.at("lines")?.int == 2)
        #expect(totals.at("accepted")?.int == 1)
    }

    /// A UTF-8 BOM that arrives a byte at a time is still dropped, on a connection and on a piped stdin; the
    /// bytes of a false start (EF then not BB) stay part of the line.
    @Test func bomSplitAcrossReadsIsDropped() throws {
        let dir = try makeTestDirectory("bom")
        defer { try? FileManager.default.removeItem(at: dir) }
        let now = Timestamp.string(wallClockNanoseconds())
        let line = Array(#"{"kind":"metric","ts":"\#(now)","name":"portal.up","value":1}"#.utf8) + [0x0A]
        let pieces: [[UInt8]] = [[0xEF], [0xBB], [0xBF] + line, [0xEF, 0x7B, 0x7D, 0x0A]]

        // On a connection (the live poll loop).
        let (run, address) = try Self.unixListener(in: dir)
        let sender = try TestSocket(address)
        for piece in pieces {
            sender.send(piece)
            usleep(200_000)  // separate reads, so the BOM really is split
        }
        sender.close()
        #expect(Self.latest(dir.appendingPathComponent("latest.json"), "pipeline.lines", becomes: 2))
        #expect(run.stop() == 0)
        let totals = try Self.totals(in: dir)
        #expect(totals.at("accepted")?.int == 1)
        #expect(totals.at("rejected")?.int == 1)

        // On a pipe read to its end (the file path's batching loop).
        let process = Process()
        process.executableURL = TestPaths.iocBinary
        process.arguments = ["run", "-", "--totals", "pipe-totals.json", "--snapshots", "/dev/null"]
        process.currentDirectoryURL = dir
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for piece in pieces {
            input.fileHandleForWriting.write(Data(piece))
            usleep(200_000)
        }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let pipeTotals = try JSONValue.parse(
            Array(try Data(contentsOf: dir.appendingPathComponent("pipe-totals.json"))))
        #expect(pipeTotals.at("accepted")?.int == 1)
        #expect(pipeTotals.at("rejected")?.int == 1)
    }

    /// The bytes that show an input does not start with a BOM are ordinary input, a `\n` among them: a blank
    /// first line or a line of just `\xEF` keeps its place and its number, also before an over-long line.
    @Test func falseStartOfABomKeepsItsLines() throws {
        let dir = try makeTestDirectory("bomfalse")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (run, address) = try Self.unixListener(in: dir, ["--max-line", "100"])
        let long = [UInt8](repeating: 0x61, count: 150)
        // A good line last, so that the run has a watermark and writes `--latest`.
        let ts = Timestamp.string(wallClockNanoseconds())
        let ok = Array(#"{"kind":"metric","ts":"\#(ts)","name":"up","value":1}"#.utf8) + [0x0A]
        for pieces in [[[0x0A] + long, Array("\nbad1\n".utf8)], [[0xEF, 0x0A], long, Array("\nbad1\n".utf8), ok]] {
            let sender = try TestSocket(address)
            for piece in pieces {
                sender.send(piece)
                usleep(300_000)
            }
            sender.close()
        }
        // 3 physical lines on the first connection (the first one blank: not a line), 4 on the second.
        #expect(Self.latest(dir.appendingPathComponent("latest.json"), "pipeline.lines", becomes: 6))
        #expect(run.stop() == 0)
        let records = try Self.deadLetters(in: dir)
        #expect(records.map { $0.at("line")?.int } == [2, 3, 1, 2, 3])
        #expect(
            records.map { $0.at("reason")?.string }
                == ["line_too_long", "malformed_json", "malformed_json", "line_too_long", "malformed_json"])
        #expect(records[0].at("raw")?.string?.hasPrefix("aaa") == true)
        #expect(records[3].at("raw")?.string?.hasPrefix("aaa") == true)
        let totals = try Self.totals(in: dir)
        #expect(totals.at("lines")?.int == 6)
        #expect(totals.at("rejected")?.int == 5)
        #expect(totals.at("accepted")?.int == 1)
    }

    /// `--follow` tails a file through appends (a line split across writes), a rotation (with a last write to
    /// the old file), a truncation and a rewrite in place, and loses no line.
    @Test func followSurvivesRotationAndTruncation() throws {
        let dir = try makeTestDirectory("follow")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("events.ndjson").path
        var serial = 0
        func lines(_ n: Int) -> String {
            var text = ""
            for _ in 0..<n {
                serial += 1
                let ts = Timestamp.string(wallClockNanoseconds())
                text += #"{"kind":"metric","ts":"\#(ts)","name":"portal.response_ms","value":\#(serial)}"# + "\n"
            }
            return text
        }
        func append(_ text: String, to file: String) {
            let fd = open(file, O_WRONLY | O_APPEND | O_CREAT, 0o644)
            _ = text.utf8CString.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count - 1) }
            close(fd)
        }
        append(lines(100), to: path)
        let run = try LiveProcess(
            [
                "run", path, "--follow", "--from-start", "--every", "50ms", "--latest", "latest.json",
                "--totals", "totals.json", "--dead-letter", "dl.ndjson", "--snapshots", "/dev/null",
            ], in: dir)
        let latest = dir.appendingPathComponent("latest.json")
        func counted(_ n: Int) -> Bool { Self.latest(latest, "pipeline.lines", becomes: n) }
        // Lines written before the run are read (--from-start), then appends, one line in two writes.
        #expect(counted(100))
        let more = lines(50)
        let splitAt = more.utf8.index(more.utf8.startIndex, offsetBy: more.utf8.count - 20)
        append(String(more[..<splitAt]), to: path)
        usleep(300_000)
        append(String(more[splitAt...]), to: path)
        #expect(counted(150))

        // Rotation: the old file gets a last write after the rename, then a new file appears at the path.
        let rotated = path + ".1"
        #expect(rename(path, rotated) == 0)
        append(lines(10), to: rotated)
        usleep(300_000)
        append(lines(20), to: path)
        #expect(counted(180))

        // Truncation: the file is emptied and written again from the start.
        #expect(truncate(path, 0) == 0)
        usleep(300_000)
        append(lines(5), to: path)
        #expect(counted(185))

        // Rewritten in place, longer than before, between two looks (as `exporter > file` does): read again
        // from its start, not from where the old contents ended (the middle of a new line).
        let rewrite = lines(12)
        let fd = open(path, O_WRONLY | O_TRUNC)
        _ = rewrite.utf8CString.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count - 1) }
        close(fd)
        #expect(counted(197))

        #expect(run.stop() == 0)
        let totals = try Self.totals(in: dir)
        #expect(totals.at("lines")?.int == 197)
        #expect(totals.at("accepted")?.int == 197)
        #expect(totals.at("rejected")?.int == 0)
        #expect(run.stderr.contains("rotated"))
        #expect(run.stderr.contains("truncated"))
    }

    /// A metric line stamped with the wall clock (inside `--max-future`), newline included.
    private static func portalUpLine() -> String {
        #"{"kind":"metric","ts":"\#(Timestamp.string(wallClockNanoseconds()))","name":"portal.up","value":1}"# + "\n"
    }

    /// `--follow` with no file names follows stdin, as a run without inputs reads it (and `tail -F` does).
    @Test func followWithoutFilesFollowsStdin() throws {
        let dir = try makeTestDirectory("follow-stdin")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("input.ndjson")
        try String(repeating: Self.portalUpLine(), count: 3).write(to: input, atomically: false, encoding: .utf8)
        let run = try LiveProcess(
            ["run", "--follow", "--every", "50ms", "--latest", "latest.json", "--totals", "totals.json"], in: dir,
            stdin: input)
        #expect(Self.latest(dir.appendingPathComponent("latest.json"), "pipeline.lines", becomes: 3))
        #expect(run.stop() == 0)
        #expect(try Self.totals(in: dir).at("accepted")?.int == 3)
    }

    /// A named pipe followed is a stream: read as lines come, never rewound or taken for a truncated file.
    @Test func followANamedPipe() throws {
        let dir = try makeTestDirectory("follow-fifo")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("feed.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let run = try LiveProcess(
            ["run", fifo, "--follow", "--every", "50ms", "--latest", "latest.json", "--totals", "totals.json"], in: dir)
        let fd = open(fifo, O_WRONLY)
        #expect(fd >= 0)
        let text = String(repeating: Self.portalUpLine(), count: 3)
        _ = text.utf8CString.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count - 1) }
        #expect(Self.latest(dir.appendingPathComponent("latest.json"), "pipeline.lines", becomes: 3))
        close(fd)
        #expect(run.stop() == 0)
        let totals = try Self.totals(in: dir)
        #expect(totals.at("accepted")?.int == 3)
        #expect(totals.at("rejected")?.int == 0)
        #expect(!run.stderr.contains("truncated"), "\(run.stderr)")
    }

    /// Without `--from-start`, `--follow` starts at the end, as `tail -F` does.
    @Test func followStartsAtTheEnd() throws {
        let dir = try makeTestDirectory("follow-end")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("events.ndjson")
        let line = Self.portalUpLine()
        // The file ends in the middle of a line, as when a writer is half-way through one.
        let half = line.utf8.count / 2
        try (String(repeating: line, count: 7) + String(line.utf8.prefix(half))!).write(
            to: path, atomically: false, encoding: .utf8)
        let run = try LiveProcess(
            ["run", path.path, "--follow", "--every", "50ms", "--latest", "latest.json", "--totals", "totals.json"],
            in: dir)
        usleep(500_000)
        let handle = try FileHandle(forWritingTo: path)
        handle.seekToEndOfFile()
        handle.write(Data(line.utf8.dropFirst(half)))
        handle.write(Data(String(repeating: line, count: 3).utf8))
        try handle.close()
        let latest = dir.appendingPathComponent("latest.json")
        #expect(Self.latest(latest, "pipeline.lines", becomes: 3))
        #expect(run.stop() == 0)
        let totals = try Self.totals(in: dir)
        #expect(totals.at("lines")?.int == 3)
        #expect(totals.at("rejected")?.int == 0, "the rest of the line under way at the start was not skipped")
    }

    /// A quiet live input still closes its windows (SPEC §4): with `--idle 300ms` the watermark advances with
    /// the wall clock, so the window of the only event closes while the run goes on.
    @Test func idleAdvanceClosesWindowsOnAQuietSocket() throws {
        let dir = try makeTestDirectory("idle")
        defer { try? FileManager.default.removeItem(at: dir) }
        let address = SocketAddress.unix(path: dir.appendingPathComponent("in.sock").path)
        let run = try LiveProcess(
            [
                "run", "--listen", address.description, "--window", "1s", "--lateness", "0s", "--idle", "300ms",
                "--snapshots", "snaps.ndjson", "--alerts", "alerts.ndjson",
            ], in: dir)
        let sender = try TestSocket(address)
        let ts = Timestamp.string(wallClockNanoseconds())
        sender.send(
            Array(#"{"kind":"traffic","ts":"\#(ts)","sensor":"L-1","vehicles":4,"speed_kmh":50}"#.utf8) + [0x0A])
        // The sender stays connected and silent: only the wall clock can close the window.
        let snaps = dir.appendingPathComponent("snaps.ndjson")
        let closed = eventually(timeout: 30) {
            let text = (try? String(contentsOf: snaps, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").count >= 2
        }
        #expect(closed, "no window closed on a quiet input")
        sender.close()
        #expect(run.stop() == 0)
        let first = try String(contentsOf: snaps, encoding: .utf8).split(separator: "\n").first!
        let snapshot = try JSONValue.parse(Array(first.utf8))
        #expect(snapshot.at("traffic.readings")?.int == 1)
        #expect(snapshot.at("window.final")?.bool == true)
    }

    @Test(
        "Bad live flags: Error, Usage, hint, exit 64",
        arguments: [
            (["run", "--listen", "http://x"], "Error: The value 'http://x' is invalid for '--listen <address>'"),
            (["run", "--listen", "tcp://127.0.0.1:99999"], "Error: The value 'tcp://127.0.0.1:99999' is invalid"),
            (["run", "--publish", "tcp://nohost:80"], "Error: The value 'tcp://nohost:80' is invalid for '--publish"),
            (["run", "--every", "0s"], "Error: The value '0s' is invalid for '--every <duration>'"),
            (["run", "--idle", "later"], "Error: The value 'later' is invalid for '--idle <duration>'"),
            (["run", "--follow=yes"], "Error: Option '--follow' takes no value"),
            (["run", "--from-start"], "Error: '--from-start' needs '--follow'"),
            (["run", "--follow", "--listen", "tcp://127.0.0.1:0"], "Error: '--follow' needs a file to follow"),
            (
                ["run", "--listen", "tcp://127.0.0.1:17999", "--publish", "tcp://127.0.0.1:17999"],
                "Error: '--listen tcp://127.0.0.1:17999' and '--publish tcp://127.0.0.1:17999' name the same address"
            ),
            (
                ["run", "--listen", "unix:///tmp/ioc-same.sock", "--listen", "unix:///tmp/ioc-same.sock"],
                "Error: '--listen unix:///tmp/ioc-same.sock' and '--listen unix:///tmp/ioc-same.sock' name the same"
            ),
        ])
    func badLiveFlags(args: [String], message: String) throws {
        try expectUsageError(args, message)
    }

    /// A port already taken is a failure to open an input: exit 1, naming the address and the reason.
    @Test func portInUseExitsOne() throws {
        guard case .success(let any) = SocketAddress.parse("tcp://127.0.0.1:0") else { return }
        let fd = try any.listen()
        defer { close(fd) }
        let port = SocketAddress.boundPort(fd)!
        let r = try ProcessRunner.ioc(["run", "--listen", "tcp://127.0.0.1:\(port)"], stdin: "")
        #expect(r.status == 1)
        #expect(r.stderr.contains("tcp://127.0.0.1:\(port): Address already in use"), "\(r.stderr)")
    }

    /// A Unix socket path taken by a directory or a plain file is named as such, not "Address already in use"
    /// (which sends an operator looking for a process that is not there); the file is left alone.
    @Test func aUnixSocketPathTakenByAFileSaysSo() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ioc-taken-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("plain").path
        try "keep\n".write(toFile: plain, atomically: true, encoding: .utf8)
        for (path, reason) in [(dir.path, "a directory is there"), (plain, "a file that is not a socket is there")] {
            let r = try ProcessRunner.ioc(["run", "--listen", "unix://" + path], stdin: "")
            #expect(r.status == 1)
            #expect(r.stderr.contains("Error: cannot listen on unix://\(path): \(reason)"), "\(r.stderr)")
        }
        #expect(try String(contentsOfFile: plain, encoding: .utf8) == "keep\n")
    }
}
