import Foundation
import IOCTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `ioc top` as a process with stdout a pipe: plain mode, one summary line per snapshot.
@Suite("ioc top command line")
struct TopCLITests {
    static let sample = TestPaths.samples.appendingPathComponent("expected/city-morning.snapshots.ndjson")
    static let firstLine =
        "2026-11-22T00:00:00Z – 00:01:00Z final  reports 2 (open 3, overdue 0)  traffic 8 at 36.7 km/h (jam 0)"
        + "  security 0 (P1 0)  services 1 (on time -, overdue 0)  accepted 30  rejected 0  alerts 0"

    @Test func plainModeOnAFile() throws {
        let r = try ProcessRunner.ioc(["top", Self.sample.path])
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 40)
        #expect(lines.first == Self.firstLine)
        #expect(lines[21].hasSuffix("alerts 5"))
        #expect(lines.last?.hasPrefix("2026-11-22T00:39:00Z – 00:40:00Z final ") == true)
        #expect(!r.stdout.contains("\u{1B}"))
    }

    @Test func plainModeOnStdinCountsSkippedLines() throws {
        let sample = try String(contentsOf: Self.sample, encoding: .utf8).split(separator: "\n")
        let input = ["not json", String(sample[0]), "{\"schema\":\"other\"}", "", String(sample[1])]
            .joined(separator: "\n")  // the last line has no newline
        for args in [["top"], ["top", "-"]] {
            let r = try ProcessRunner.ioc(args, stdin: input)
            #expect(r.status == 0)
            #expect(r.stdout.split(separator: "\n").count == 2)
            #expect(r.stdout.hasPrefix(Self.firstLine + "\n"))
            #expect(r.stderr == "ioc top: 2 lines skipped (not ioc.snapshot/1)\n")
        }
    }

    @Test func helpAndRootHelp() throws {
        let a = try ProcessRunner.ioc(["top", "--help"])
        let b = try ProcessRunner.ioc(["help", "top"])
        #expect(a.status == 0 && b.status == 0)
        #expect(a.stdout == b.stdout)
        #expect(a.stdout.contains("USAGE: ioc top [--connect <address> | <file> | -]"))
        #expect(a.stdout.contains("(default: -)"))
        let root = try ProcessRunner.ioc(["--help"])
        #expect(root.stdout.contains("\n  top                     Live operator view of the snapshots of a run.\n"))
    }

    @Test(
        "Bad flags: Error, Usage, hint, exit 64",
        arguments: [
            (["top", "--frobnicate"], "Error: Unknown option '--frobnicate'"),
            (["top", "--connect"], "Error: Missing value for '--connect'"),
            (["top", "--connect", "http://x"], "Error: The value 'http://x' is invalid for '--connect <address>'"),
            (["top", "--connect=tcp://127.0.0.1:99999"], "Error: The value 'tcp://127.0.0.1:99999' is invalid"),
            (["top", "a.ndjson", "b.ndjson"], "Error: Unexpected argument 'b.ndjson'"),
            (["top", "--connect", "tcp://:9000", "a.ndjson"], "Error: Give either '--connect <address>' or a FILE"),
            (["top", "/no/such/snapshots.ndjson"], "Error: cannot read '/no/such/snapshots.ndjson': No such file"),
            (["top", "/"], "Error: cannot read '/': Is a directory"),
        ])
    func badFlags(args: [String], message: String) throws {
        try expectUsageError(args, message)
    }

    @Test func plainModeConnectFailureExitsOne() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ioc-top-none-\(getpid()).sock").path
        let r = try ProcessRunner.ioc(["top", "--connect", "unix://" + path])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("Error: cannot connect to unix://\(path): "), "\(r.stderr)")
    }

    /// A stand-in publisher on a Unix socket: sends two snapshots (the first split across writes) and hangs up.
    @Test func plainModeReadsAPublisherUntilItHangsUp() throws {
        let sample = try String(contentsOf: Self.sample, encoding: .utf8).split(separator: "\n")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ioc-top-\(getpid()).sock").path
        unlink(path)
        defer { unlink(path) }
        let listener = try #require(Self.listen(path))
        defer { close(listener) }
        let payload = Array((sample[0] + "\n" + sample[1] + "\n").utf8)
        let server = Thread {
            let c = accept(listener, nil, nil)
            guard c >= 0 else { return }
            payload.withUnsafeBytes { raw in
                _ = write(c, raw.baseAddress!, 100)
                usleep(50_000)
                _ = write(c, raw.baseAddress! + 100, raw.count - 100)
            }
            close(c)
        }
        server.start()
        let r = try ProcessRunner.ioc(["top", "--connect", "unix://" + path])
        #expect(r.status == 1)
        #expect(r.stdout.split(separator: "\n").count == 2)
        #expect(r.stdout.hasPrefix(Self.firstLine + "\n"))
        #expect(r.stderr.hasPrefix("Error: connection to unix://\(path) ended"), "\(r.stderr)")
    }

    static func listen(_ path: String) -> Int32? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { dst in
            dst.copyBytes(from: Array(path.utf8).prefix(dst.count - 1))
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, Glibc.listen(fd, 4) == 0 else {
            close(fd)
            return nil
        }
        return fd
    }
}
