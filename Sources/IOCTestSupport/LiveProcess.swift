import Foundation
import IOCRuntime

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A long-running `ioc` started for a test (a live run): stdout and stderr go to files in `dir`, it is stopped
/// with a signal, and every wait is bounded.
public final class LiveProcess: @unchecked Sendable {
    public let process = Process()
    public let dir: URL
    public var stdoutURL: URL { dir.appendingPathComponent("stdout") }
    public var stderrURL: URL { dir.appendingPathComponent("stderr") }

    /// Starts `ioc` with `arguments` in `dir`; its stdin is `stdin` (a file) or empty.
    public init(_ arguments: [String], in dir: URL, stdin: URL? = nil) throws {
        self.dir = dir
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("stdout").path, contents: nil)
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("stderr").path, contents: nil)
        process.executableURL = TestPaths.iocBinary
        process.arguments = arguments
        process.currentDirectoryURL = dir
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        try process.run()
    }

    /// Sends SIGTERM and waits (at most `timeout` seconds) for the exit; nil if it did not exit (then killed).
    public func stop(timeout: Double = 30) -> Int32? {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        return waitForExit(timeout: timeout)
    }

    /// The exit status, or nil when the process is still running after `timeout` seconds (it is then killed).
    public func waitForExit(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    public var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
    public var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Polls `condition` every 20 ms for at most `timeout` seconds; true when it held.
public func eventually(timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

/// A fresh temporary folder for one test.
public func makeTestDirectory(_ name: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
        "ioc-\(name)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// A blocking client socket for tests: connects (retrying while the server starts), sends, reads lines.
public final class TestSocket: @unchecked Sendable {
    public let fd: Int32

    /// Connects to `address`, retrying for up to `timeout` seconds while nobody listens yet.
    public init(_ address: SocketAddress, timeout: Double = 20, receiveBuffer: Int32? = nil) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            do {
                fd = try address.connect()
                break
            } catch {
                if Date() > deadline { throw error }
                usleep(50_000)
            }
        }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Writes all of `bytes`; false when the peer went away.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Reads until the peer closes (or an error); calls `line` for each complete line.
    public func readLines(_ line: (String) -> Void) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            buffer.append(contentsOf: chunk[0..<n])
            while let nl = buffer.firstIndex(of: 0x0A) {
                line(String(decoding: buffer[..<nl], as: UTF8.self))
                buffer.removeSubrange(...nl)
            }
        }
    }

    /// Reads and discards until the peer closes; returns the bytes read.
    public func drain() -> Int {
        var total = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return total }
            total += n
        }
    }

    public func close() { _ = Glibc.close(fd) }
}

/// A TCP port nobody listens on right now (bound to port 0 and released).
public func freeTCPPort() -> UInt16 {
    guard case .success(let any) = SocketAddress.parse("tcp://127.0.0.1:0"), let fd = try? any.listen() else {
        return 0
    }
    defer { close(fd) }
    return SocketAddress.boundPort(fd) ?? 0
}
