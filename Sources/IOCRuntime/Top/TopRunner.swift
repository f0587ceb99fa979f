import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `ioc top` was asked to show, already checked for syntax by the CLI.
public struct TopOptions: Sendable {
    /// Where snapshots come from.
    public enum Source: Sendable, Equatable {
        /// stdin (`-`), e.g. `ioc run --snapshots - | ioc top`.
        case stdin
        /// A file written by `ioc run --snapshots FILE` or `--latest FILE`, followed like `tail -F`.
        case file(String)
        /// A publisher (`ioc run --publish ADDR`).
        case connect(SocketAddress)
    }

    public var source: Source = .stdin
    /// How often a followed file is looked at, and how long to wait before reconnecting.
    public var pollInterval: DispatchTimeInterval = .milliseconds(200)
    public var retryInterval: UInt32 = 1_000_000

    public init() {}
}

/// Runs `ioc top`: one serial queue owns the model and the terminal; a reader thread (stdin, a socket) or a
/// timer (a followed file) hands it bytes; keys, SIGWINCH and SIGINT/SIGTERM arrive on the same queue as
/// Dispatch sources. The calling thread waits for the end and gives back the exit status.
///
/// When stdout is a terminal it draws the full screen (`TopScreen.render`) after every chunk of input, so a burst
/// of snapshots read at once costs one redraw. Otherwise it prints `TopScreen.summary` per snapshot, reads a file
/// once to its end instead of following it, and exits 0 at the end of input (1 when a connection fails or ends).
public final class TopRunner: @unchecked Sendable {
    public let options: TopOptions
    /// Plain lines instead of the screen (stdout is not a terminal).
    public let plain: Bool
    private let queue = DispatchQueue(label: "ioc.top")
    private let done = DispatchSemaphore(value: 0)
    // Everything below belongs to `queue`.
    private var model: TopModel
    private var lines = LineBuffer()
    private var terminal: Terminal?
    private var sources: [DispatchSourceProtocol] = []
    private var follower: FileFollower?
    private var status: Int32 = 0
    private var finished = false

    public init(options: TopOptions, plain: Bool = !Terminal.stdoutIsTerminal) {
        self.options = options
        self.plain = plain
        let name: String
        switch options.source {
        case .stdin: name = "stdin"
        case .file(let path): name = path
        case .connect(let address): name = address.description
        }
        model = TopModel(sourceName: name)
    }

    /// Runs until `q`, Ctrl-C, SIGTERM, or (plain mode) the end of input. Usage problems (a file that cannot be
    /// read, no way to read keys) throw before anything is drawn.
    public func run() throws(UsageError) -> Int32 {
        if case .file(let path) = options.source {
            do { follower = try FileFollower(path: path) } catch {
                throw UsageError("cannot read '\(path)': \(error.reason)")
            }
        }
        if !plain {
            let terminal = Terminal()
            if options.source == .stdin && terminal.keyboard == STDIN_FILENO {
                throw UsageError(
                    "stdin is the keyboard: pipe snapshots in ('ioc run --snapshots - | ioc top'), or give a FILE"
                        + " or '--connect ADDR'")
            }
            self.terminal = terminal
        }
        queue.sync { start() }
        done.wait()
        return queue.sync {
            terminal?.restore()
            for s in sources { s.cancel() }
            return status
        }
    }

    // MARK: - On the queue

    private func start() {
        if let terminal {
            terminal.enter()
            installScreenSources(terminal)
            redraw()
        }
        switch options.source {
        case .stdin: startReading(fd: STDIN_FILENO)
        case .file: startFollowing()
        case .connect(let address): startConnecting(address)
        }
    }

    private func installScreenSources(_ terminal: Terminal) {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [self] in finish(0) }
            source.resume()
            sources.append(source)
        }
        signal(SIGWINCH, SIG_IGN)
        let winch = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: queue)
        winch.setEventHandler { [self] in redraw() }
        winch.resume()
        sources.append(winch)
        if let keyboard = terminal.keyboard {
            let keys = DispatchSource.makeReadSource(fileDescriptor: keyboard, queue: queue)
            keys.setEventHandler { [self] in readKeys(keyboard, keys) }
            keys.resume()
            sources.append(keys)
        }
    }

    private func readKeys(_ fd: Int32, _ source: DispatchSourceRead) {
        var buf = [UInt8](repeating: 0, count: 64)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else {
            if n == 0 || (errno != EINTR && errno != EAGAIN) { source.cancel() }
            return
        }
        for key in buf[0..<n] {
            switch key {
            case UInt8(ascii: "q"), UInt8(ascii: "Q"), 0x03: finish(0)  // 0x03: Ctrl-C in raw mode
            case 0x0C: terminal?.write("\u{1B}[2J")  // Ctrl-L: repaint from scratch
            default: continue
            }
        }
        redraw()
    }

    private func finish(_ code: Int32) {
        guard !finished else { return }
        finished = true
        status = code
        terminal?.restore()
        done.signal()
    }

    private func redraw() {
        guard let terminal, !finished else { return }
        let size = Terminal.size()
        terminal.draw(TopScreen.render(model, width: size.width, height: size.height, ansi: true))
    }

    /// Takes bytes from the input, then shows the result once.
    private func feed(_ bytes: some Collection<UInt8>) {
        guard !finished else { return }
        let now = Self.monotonicNanoseconds()
        var out = ""
        let overlong = lines.overlong
        lines.append(bytes) { line in
            if model.ingest(line: line, now: now), plain, let s = model.latest { out += TopScreen.summary(s) + "\n" }
        }
        model.skip(lines.overlong - overlong)
        if plain {
            if !out.isEmpty { writePlain(out) }
        } else {
            redraw()
        }
    }

    /// The input is gone for good (stdin or a file read to its end in plain mode).
    private func endOfInput() {
        feedLastLine()
        if plain {
            reportSkipped()
            finish(0)
        } else {
            model.sourceState = .ended
            redraw()
        }
    }

    private func feedLastLine() {
        let now = Self.monotonicNanoseconds()
        var out = ""
        lines.finish { line in
            if model.ingest(line: line, now: now), plain, let s = model.latest { out += TopScreen.summary(s) + "\n" }
        }
        if !out.isEmpty { writePlain(out) }
    }

    /// Writes summary lines to stdout; a write that fails (a full disk) ends the run with exit 1. (A closed pipe
    /// ends it by SIGPIPE, as it does `cat`.)
    private func writePlain(_ out: String) {
        let code = Terminal.writeAll(STDOUT_FILENO, out)
        guard code != 0, !finished else { return }
        Terminal.writeAll(STDERR_FILENO, "Error: cannot write to stdout: \(String(cString: strerror(code)))\n")
        finish(1)
    }

    private func reportSkipped() {
        guard model.skipped > 0 else { return }
        Terminal.writeAll(
            STDERR_FILENO,
            "ioc top: \(model.skipped) line\(model.skipped == 1 ? "" : "s") skipped (not ioc.snapshot/1)\n")
    }

    private func fail(_ message: String) {
        guard !finished else { return }
        feedLastLine()
        reportSkipped()
        Terminal.writeAll(STDERR_FILENO, "Error: \(message)\n")
        finish(1)
    }

    private func setState(_ state: TopModel.SourceState) {
        if case .disconnected = state, lines.reset() { model.skip() }
        model.sourceState = state
        redraw()
    }

    // MARK: - Inputs

    private func startReading(fd: Int32) {
        let thread = Thread { [self] in
            var buf = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                let chunk = Array(buf[0..<n])
                queue.async { self.feed(chunk) }
            }
            queue.async { self.endOfInput() }
        }
        thread.name = "ioc.top.reader"
        thread.start()
    }

    private func startFollowing() {
        guard let follower else { return }
        let take = { [self] in
            for chunk in follower.poll() {
                if chunk.restarted && lines.reset() { model.skip() }
                feed(chunk.bytes)
            }
        }
        take()
        if plain {
            endOfInput()
            return
        }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + options.pollInterval, repeating: options.pollInterval)
        timer.setEventHandler(handler: take)
        timer.resume()
        sources.append(timer)
    }

    private func startConnecting(_ address: SocketAddress) {
        let plain = self.plain
        let retry = options.retryInterval
        let thread = Thread { [self] in
            var buf = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let fd: Int32
                do throws(IOFailure) {
                    fd = try address.connect()
                } catch {
                    if plain {
                        queue.async { self.fail("cannot connect to \(address): \(error.reason)") }
                        return
                    }
                    queue.async { self.setState(.disconnected(reason: "cannot connect: \(error.reason)")) }
                    usleep(retry)
                    continue
                }
                queue.async { self.setState(.connected) }
                var reason = "the publisher closed the connection"
                while true {
                    let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { reason = String(cString: strerror(errno)) }
                    if n <= 0 { break }
                    let chunk = Array(buf[0..<n])
                    queue.async { self.feed(chunk) }
                }
                close(fd)
                if plain {
                    queue.async { [reason] in self.fail("connection to \(address) ended: \(reason)") }
                    return
                }
                queue.async { [reason] in self.setState(.disconnected(reason: reason)) }
                usleep(retry)
            }
        }
        thread.name = "ioc.top.connection"
        thread.start()
    }

    static func monotonicNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
