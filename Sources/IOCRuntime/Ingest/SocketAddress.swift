#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A stream-socket address as written on the command line: `tcp://HOST:PORT` or `unix:///PATH` (SPEC §9).
///
/// The host defaults to 127.0.0.1 (`tcp://:9000`, `tcp://9000`); `[::1]` brackets an IPv6 host; `localhost`
/// means 127.0.0.1. Names are not resolved: an operations room binds and connects by address.
public enum SocketAddress: Sendable, Equatable, CustomStringConvertible {
    case tcp(host: String, port: UInt16)
    case unix(path: String)

    /// Parses `text`, or explains why it is not an address.
    public static func parse(_ text: String) -> Result<SocketAddress, UsageError> {
        if text.hasPrefix("unix://") {
            let path = String(text.dropFirst("unix://".count))
            guard !path.isEmpty else { return .failure(UsageError("'\(text)' has no socket path")) }
            guard path.utf8.count < 108 else {
                return .failure(UsageError("'\(text)': a Unix socket path must be shorter than 108 bytes"))
            }
            return .success(.unix(path: path))
        }
        guard text.hasPrefix("tcp://") else {
            return .failure(UsageError("'\(text)' is not an address: expected tcp://HOST:PORT or unix:///PATH"))
        }
        var rest = Substring(text.dropFirst("tcp://".count))
        var host = "127.0.0.1"
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                return .failure(UsageError("'\(text)': unclosed '[' in the host"))
            }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
            guard rest.hasPrefix(":") else { return .failure(UsageError("'\(text)' has no port")) }
            rest = rest.dropFirst()
        } else if let colon = rest.lastIndex(of: ":") {
            if colon > rest.startIndex { host = String(rest[..<colon]) }
            rest = rest[rest.index(after: colon)...]
        }
        if host == "localhost" { host = "127.0.0.1" }
        guard let port = UInt16(rest), !rest.isEmpty else {
            return .failure(UsageError("'\(text)' has no valid port (0–65535)"))
        }
        var probe = sockaddr_storage()
        guard SocketAddress.fill(host: host, port: port, into: &probe) != nil else {
            return .failure(
                UsageError(
                    "'\(text)': '\(host)' is not an IPv4 or IPv6 address (host names other than localhost are "
                        + "not looked up)"))
        }
        return .success(.tcp(host: host, port: port))
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        case .unix(let path): "unix://\(path)"
        }
    }

    /// Fills a `sockaddr_in`/`sockaddr_in6`; returns its length and family, or nil for a bad host.
    private static func fill(
        host: String, port: UInt16, into storage: inout sockaddr_storage
    ) -> (
        length: socklen_t, family: Int32
    )? {
        withUnsafeMutableBytes(of: &storage) { raw -> (socklen_t, Int32)? in
            if host.contains(":") {
                let sin6 = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                sin6.pointee.sin6_family = sa_family_t(AF_INET6)
                sin6.pointee.sin6_port = port.bigEndian
                guard inet_pton(AF_INET6, host, &sin6.pointee.sin6_addr) == 1 else { return nil }
                return (socklen_t(MemoryLayout<sockaddr_in6>.size), AF_INET6)
            }
            let sin = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
            sin.pointee.sin_family = sa_family_t(AF_INET)
            sin.pointee.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &sin.pointee.sin_addr) == 1 else { return nil }
            return (socklen_t(MemoryLayout<sockaddr_in>.size), AF_INET)
        }
    }

    /// Calls `body` with this address as a `sockaddr`, its length and its family.
    private func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t, Int32) -> T) -> T {
        var storage = sockaddr_storage()
        let length: socklen_t
        let family: Int32
        switch self {
        case .tcp(let host, let port):
            // parse(_:) checked the host.
            (length, family) = SocketAddress.fill(host: host, port: port, into: &storage)!
        case .unix(let path):
            family = AF_UNIX
            length = socklen_t(MemoryLayout<sockaddr_un>.size)
            withUnsafeMutableBytes(of: &storage) { raw in
                let sun = raw.baseAddress!.assumingMemoryBound(to: sockaddr_un.self)
                sun.pointee.sun_family = sa_family_t(AF_UNIX)
                withUnsafeMutableBytes(of: &sun.pointee.sun_path) { dst in
                    let bytes = Array(path.utf8)
                    dst.copyBytes(from: bytes.prefix(dst.count - 1))
                }
            }
        }
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length, family) }
        }
    }

    /// Binds and listens (non-blocking, close-on-exec). A stale Unix socket file is replaced; a live one (another
    /// process answers on it) is not.
    public func listen(backlog: Int32 = 512) throws(IOFailure) -> Int32 {
        if case .unix(let path) = self, SocketAddress.isStaleUnixSocket(path) { unlink(path) }
        let fd = withSockaddr { _, _, family in
            socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        guard fd >= 0 else { throw IOFailure(path: description, errno: errno) }
        var one: Int32 = 1
        if case .tcp = self { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
        let bound = withSockaddr { addr, length, _ in bind(fd, addr, length) }
        guard bound == 0, Glibc.listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            if code == EADDRINUSE, case .unix(let path) = self, let why = SocketAddress.whyPathIsTaken(path) {
                throw IOFailure(path: description, reason: why)
            }
            throw IOFailure(path: description, errno: code)
        }
        SocketAddress.setNonBlocking(fd)
        return fd
    }

    /// Connects (blocking), close-on-exec.
    public func connect() throws(IOFailure) -> Int32 {
        switch attemptConnect() {
        case .success(let fd): return fd
        case .failure(let code): throw IOFailure(path: description, errno: code.value)
        }
    }

    private struct Errno: Error { var value: Int32 }

    /// One connection attempt: the connected descriptor, or the `errno` it failed with.
    private func attemptConnect() -> Result<Int32, Errno> {
        let fd = withSockaddr { _, _, family in
            socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        guard fd >= 0 else { return .failure(Errno(value: errno)) }
        let r = withSockaddr { addr, length, _ in Glibc.connect(fd, addr, length) }
        guard r == 0 else {
            let code = errno
            close(fd)
            return .failure(Errno(value: code))
        }
        return .success(fd)
    }

    /// The port a TCP listener got (useful with port 0).
    public static func boundPort(_ fd: Int32) -> UInt16? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let r = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard r == 0 else { return nil }
        return withUnsafeBytes(of: &storage) { raw -> UInt16? in
            switch Int32(raw.load(fromByteOffset: 0, as: sa_family_t.self)) {
            case AF_INET: UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
            case AF_INET6: UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
            default: nil
            }
        }
    }

    /// Accepts one pending connection as a non-blocking, close-on-exec descriptor; -1 with `errno` when none.
    public static func accept(_ listener: Int32) -> Int32 {
        let fd = Glibc.accept(listener, nil, nil)
        guard fd >= 0 else { return fd }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        setNonBlocking(fd)
        return fd
    }

    public static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    /// What is at a Unix socket path that `bind` found taken, when it is not another process's socket: the
    /// system says "Address already in use" for a directory or a plain file too, which sends an operator looking
    /// for a process that does not exist. Nil for a socket (someone listens there).
    private static func whyPathIsTaken(_ path: String) -> String? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        switch st.st_mode & S_IFMT {
        case S_IFSOCK: return nil
        case S_IFDIR: return "a directory is there (a socket path names a file to create)"
        default: return "a file that is not a socket is there (it is left alone: remove it, or choose another path)"
        }
    }

    /// A socket file nobody answers on (left by a crashed run).
    private static func isStaleUnixSocket(_ path: String) -> Bool {
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFSOCK else { return false }
        switch SocketAddress.unix(path: path).attemptConnect() {
        case .success(let fd):
            close(fd)
            return false
        case .failure(let code):
            // Only "nobody listens" makes it stale; a full backlog or a permission problem means it is someone's.
            return code.value == ECONNREFUSED
        }
    }
}
