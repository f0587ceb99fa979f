import Foundation
import IOCRuntime
import Testing

/// `tail -F` semantics, one poll at a time: no sleeping, the test changes the file between polls.
@Suite("ioc top: following a snapshots file")
struct FileFollowerTests {
    private func tempFile() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ioc-top-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("snapshots.ndjson").path
    }

    private func text(_ chunks: [FileFollower.Chunk]) -> [String] {
        chunks.map { ($0.restarted ? "restart:" : "") + String(decoding: $0.bytes, as: UTF8.self) }
    }

    private func append(_ text: String, to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try handle.close()
    }

    @Test func readsWhatIsThereThenWhatIsAppended() throws {
        let path = try tempFile()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try "one\ntw".write(toFile: path, atomically: false, encoding: .utf8)
        let follower = try FileFollower(path: path)
        #expect(text(follower.poll()) == ["one\ntw"])
        #expect(follower.poll().isEmpty)
        try append("o\nthree\n", to: path)
        #expect(text(follower.poll()) == ["o\nthree\n"])
    }

    @Test func followsAnAtomicReplacementByRename() throws {
        let path = try tempFile()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try "first\n".write(toFile: path, atomically: false, encoding: .utf8)
        let follower = try FileFollower(path: path)
        #expect(text(follower.poll()) == ["first\n"])
        // What `ioc run --latest` does: write a temporary file, rename it over the path.
        try "second\n".write(toFile: path + ".tmp", atomically: false, encoding: .utf8)
        #expect(rename(path + ".tmp", path) == 0)
        #expect(text(follower.poll()) == ["restart:second\n"])
        #expect(follower.poll().isEmpty)
        // Briefly missing (unlinked, not yet replaced): nothing, no error; then the new file.
        #expect(unlink(path) == 0)
        #expect(follower.poll().isEmpty)
        try "third\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(text(follower.poll()) == ["restart:third\n"])
    }

    @Test func startsAgainWhenTheFileShrinks() throws {
        let path = try tempFile()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try "a long first line\n".write(toFile: path, atomically: false, encoding: .utf8)
        let follower = try FileFollower(path: path)
        #expect(text(follower.poll()) == ["a long first line\n"])
        // Truncated in place and rewritten, same inode.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 0)
        handle.write(Data("short\n".utf8))
        try handle.close()
        #expect(text(follower.poll()) == ["restart:short\n"])
    }

    @Test func aMissingFileIsAnError() {
        #expect(throws: IOFailure.self) { try FileFollower(path: "/no/such/dir/snapshots.ndjson") }
        #expect(throws: IOFailure.self) { try FileFollower(path: "/tmp") }
    }
}
