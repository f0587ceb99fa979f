import Foundation
import IOCRuntime
import Testing

@Suite("Outputs")
struct OutputHubTests {
    private func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ioc-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func dispatchSplitsOneFilePerRoute() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let hub = OutputHub()
        hub.dispatchPattern = dir.path + "/dispatch-{route}.ndjson"
        for (route, line) in [("fire", "{\"a\":1}"), ("police", "{\"b\":2}"), ("fire", "{\"c\":3}"), ("a/b", "{}")] {
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBytes { hub.dispatch(route: route, line: UnsafeRawBufferPointer($0)) }
        }
        hub.flush()
        #expect(
            try String(contentsOfFile: dir.path + "/dispatch-fire.ndjson", encoding: .utf8) == "{\"a\":1}\n{\"c\":3}\n")
        #expect(try String(contentsOfFile: dir.path + "/dispatch-police.ndjson", encoding: .utf8) == "{\"b\":2}\n")
        // A route never escapes the folder.
        #expect(FileManager.default.fileExists(atPath: dir.path + "/dispatch-a_b.ndjson"))
        #expect(hub.failure == nil)
    }

    @Test func latestIsReplacedWholeEachTime() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.path + "/latest.json"
        let sink = try LatestFileSink(path: path)
        for n in 1...3 {
            var bytes = Array("{\"n\":\(n)}".utf8)
            bytes.withUnsafeMutableBytes { sink.replace(with: UnsafeRawBufferPointer($0)) }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"n\":\(n)}\n")
        }
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
    }

    @Test func unwritablePathsFailWithTheSystemReason() {
        #expect(throws: IOFailure.self) { _ = try FileSink(path: "/no/such/dir/x.ndjson") }
        do {
            _ = try LatestFileSink(path: "/no/such/dir/latest.json")
            Issue.record("expected a failure")
        } catch {
            #expect(error.description == "/no/such/dir/latest.json: No such file or directory")
        }
    }

    @Test func fileSinkBuffersAndWritesLongLines() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.path + "/out.ndjson"
        do {
            let sink = try FileSink(path: path, bufferSize: 16)
            sink.writeLine("short")
            sink.writeLine(String(repeating: "x", count: 100))
            sink.writeLine("end")
        }
        #expect(
            try String(contentsOfFile: path, encoding: .utf8) == "short\n" + String(repeating: "x", count: 100)
                + "\nend\n")
    }
}
