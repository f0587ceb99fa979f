#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure to read or write that ends the run with exit status 1.
public struct IOFailure: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String

    public init(path: String, errno code: Int32) {
        self.path = path
        reason = String(cString: strerror(code))
    }

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// Writes all of `bytes` to `fd` with `write(2)`, retrying on EINTR, after short writes, and on EAGAIN (a
/// non-blocking descriptor that is full) once `poll(2)` says it takes more.
///
/// - Returns: 0, or the `errno` of the write that failed (the rest is not written).
public func writeFully(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
    guard var p = bytes.baseAddress else { return 0 }
    var left = bytes.count
    while left > 0 {
        let n = write(fd, p, left)
        if n < 0 {
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN {
                var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&ready, 1, -1)
                continue
            }
            return code
        }
        p += n
        left -= n
    }
    return 0
}

/// A line-oriented output file (or stdout/stderr) with its own buffer, written with `write(2)`.
///
/// Lines are buffered up to `bufferSize` and written in large blocks; `flush()` pushes them out (after every
/// snapshot, so a tailing operator sees it at once). The first write error is kept in `failure` and later
/// writes are dropped: the runner checks it and exits 1.
public final class FileSink {
    public let path: String
    private let fd: Int32
    private let ownsFD: Bool
    private var buffer: [UInt8] = []
    private let bufferSize: Int
    public private(set) var failure: IOFailure?

    /// Opens (creates or truncates) `path`; `-` is stdout.
    public init(path: String, append: Bool = false, bufferSize: Int = 1 << 16) throws(IOFailure) {
        self.path = path
        self.bufferSize = bufferSize
        if path == "-" {
            fd = STDOUT_FILENO
            ownsFD = false
        } else {
            let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
            let f = open(path, flags, 0o644)
            guard f >= 0 else { throw IOFailure(path: path, errno: errno) }
            fd = f
            ownsFD = true
        }
        buffer.reserveCapacity(bufferSize)
    }

    /// Wraps an already open descriptor (not closed by the sink).
    public init(fd: Int32, name: String, bufferSize: Int = 1 << 16) {
        path = name
        self.fd = fd
        ownsFD = false
        self.bufferSize = bufferSize
        buffer.reserveCapacity(bufferSize)
    }

    deinit {
        flush()
        if ownsFD { close(fd) }
    }

    /// Appends `bytes` and a newline.
    ///
    /// - Complexity: O(n); does not allocate once the buffer has grown.
    public func writeLine(_ bytes: UnsafeRawBufferPointer) {
        if buffer.count + bytes.count + 1 > bufferSize { flush() }
        if bytes.count + 1 > bufferSize {
            writeAll(bytes)
            let newline: [UInt8] = [0x0A]
            newline.withUnsafeBytes { writeAll($0) }
            return
        }
        buffer.append(contentsOf: bytes)
        buffer.append(0x0A)
    }

    public func writeLine(_ s: String) {
        var s = s
        s.withUTF8 { writeLine(UnsafeRawBufferPointer($0)) }
    }

    /// Writes out everything buffered.
    public func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        let code = writeFully(fd, bytes)
        if code != 0 { failure = IOFailure(path: path == "-" ? "stdout" : path, errno: code) }
    }
}

/// `--latest PATH`: the newest snapshot, replaced atomically (write a temporary file, then `rename(2)`), so a
/// reader never sees half a snapshot.
public final class LatestFileSink {
    public let path: String
    private let temporary: String
    public private(set) var failure: IOFailure?

    /// The file a snapshot is written to before it is renamed over `path`.
    static func temporaryPath(for path: String) -> String { path + ".tmp" }

    public init(path: String) throws(IOFailure) {
        self.path = path
        temporary = LatestFileSink.temporaryPath(for: path)
        // Fail early when the folder cannot be written.
        let f = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard f >= 0 else { throw IOFailure(path: path, errno: errno) }
        close(f)
        unlink(temporary)
    }

    public func replace(with bytes: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        let f = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard f >= 0 else {
            failure = IOFailure(path: temporary, errno: errno)
            return
        }
        var code = writeFully(f, bytes)
        if code == 0 { code = withUnsafeBytes(of: UInt8(0x0A)) { writeFully(f, $0) } }
        let ok = code == 0
        if !ok { failure = IOFailure(path: temporary, errno: code) }
        close(f)
        if ok && rename(temporary, path) != 0 { failure = IOFailure(path: path, errno: errno) }
    }
}
