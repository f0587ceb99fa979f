#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Follows a snapshots file the way `tail -F` does, one `poll()` at a time (the runner calls it about every
/// 200 ms): the bytes added since the last poll; the whole new file when the path names another inode (the run's
/// `--latest` file is replaced by rename); from the start again when the file shrank (truncated and rewritten).
///
/// A path that is briefly missing (between unlink and rename) is not an error: the old file is kept until a new
/// one appears.
public final class FileFollower {
    /// Bytes read by one poll; `restarted` means they begin a new file (a partial line held from the old one is
    /// not continued by them).
    public struct Chunk: Equatable, Sendable {
        public var bytes: [UInt8]
        public var restarted: Bool
    }

    public let path: String
    private var fd: Int32
    private var device: UInt64
    private var inode: UInt64
    private var offset: Int64 = 0
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)

    /// Opens `path`, or says why it cannot be read.
    public init(path: String) throws(IOFailure) {
        self.path = path
        (fd, device, inode) = try Self.open(path)
    }

    deinit { close(fd) }

    private static func open(_ path: String) throws(IOFailure) -> (Int32, UInt64, UInt64) {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw IOFailure(path: path, errno: errno) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let code = errno
            close(fd)
            throw IOFailure(path: path, errno: code)
        }
        guard (st.st_mode & S_IFMT) != S_IFDIR else {
            close(fd)
            throw IOFailure(path: path, reason: "Is a directory")
        }
        return (fd, UInt64(st.st_dev), UInt64(st.st_ino))
    }

    /// What was added since the last call, in order (usually zero or one chunk; two when the file was replaced
    /// after something was appended to the old one).
    public func poll() -> [Chunk] {
        var chunks: [Chunk] = []
        var st = stat()
        if fstat(fd, &st) == 0, Int64(st.st_size) < offset {
            // Truncated in place: start over.
            lseek(fd, 0, SEEK_SET)
            offset = 0
            append(readAvailable(), restarted: true, to: &chunks)
        } else {
            append(readAvailable(), restarted: false, to: &chunks)
        }
        var named = stat()
        if stat(path, &named) == 0, UInt64(named.st_dev) != device || UInt64(named.st_ino) != inode,
            let (newFD, newDevice, newInode) = try? Self.open(path)
        {
            close(fd)
            (fd, device, inode) = (newFD, newDevice, newInode)
            offset = 0
            chunks.append(Chunk(bytes: readAvailable(), restarted: true))
        }
        return chunks
    }

    private func append(_ bytes: [UInt8], restarted: Bool, to chunks: inout [Chunk]) {
        if !bytes.isEmpty || restarted { chunks.append(Chunk(bytes: bytes, restarted: restarted)) }
    }

    /// Reads to the current end of the file.
    private func readAvailable() -> [UInt8] {
        var out: [UInt8] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            out.append(contentsOf: buffer[0..<n])
            offset += Int64(n)
        }
        return out
    }
}
