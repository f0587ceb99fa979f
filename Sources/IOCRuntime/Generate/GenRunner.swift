import Dispatch
import IOCCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ioc gen`: writes the synthetic city feed to stdout.
///
/// Unpaced, lines are generated into a 1 MiB buffer and written with `write(2)` whenever it is full, so the
/// generator, not the system calls, sets the speed. With `rate` (lines per second of wall clock) the feed is
/// written in small blocks, about 50 a second (at least one line each), each written at once so a pipe reader
/// sees lines promptly; the writer sleeps until each block's scheduled time, so the rate holds on average and
/// does not drift. A reader that goes away (`EPIPE`, SIGPIPE is ignored) and SIGINT/SIGTERM both end the run
/// cleanly with status 0 after the last whole block; any other write error prints `ioc gen: …` on stderr and
/// returns 1.
public enum GenRunner {
    static let bufferSize = 1 << 20

    public static func run(options: FeedGenerator.Options, rate: Double?) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        let stop = StopFlag()
        var sources: [DispatchSourceSignal] = []
        let queue = DispatchQueue(label: "ioc.gen.signals")
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { stop.set() }
            source.resume()
            sources.append(source)
        }
        defer {
            for s in sources { s.cancel() }
        }

        var generator = FeedGenerator(options)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(bufferSize + 64 * 1024)
        var done = false

        if let rate, rate > 0, rate.isFinite {
            let perBlock = max(1, Int(rate / 50))
            let blockNanos = Double(perBlock) / rate * 1e9
            let start = monotonicNanoseconds()
            var blocks = 0.0
            while !done && !stop.isSet {
                buffer.removeAll(keepingCapacity: true)
                for _ in 0..<perBlock {
                    if !generator.next(into: &buffer) {
                        done = true
                        break
                    }
                }
                switch writeAll(buffer) {
                case .ok: break
                case .closed: return 0
                case .failed(let code): return fail(code)
                }
                blocks += 1
                let due = start + Int64(blocks * blockNanos)
                // Sleep in slices of at most 100 ms so a signal is noticed promptly.
                while !done && !stop.isSet {
                    let now = monotonicNanoseconds()
                    if now >= due { break }
                    sleepNanos(min(due - now, 100_000_000))
                }
            }
            return 0
        }

        while !done && !stop.isSet {
            buffer.removeAll(keepingCapacity: true)
            while buffer.count < bufferSize - 4096 {
                if !generator.next(into: &buffer) {
                    done = true
                    break
                }
            }
            switch writeAll(buffer) {
            case .ok: break
            case .closed: return 0
            case .failed(let code): return fail(code)
            }
        }
        return 0
    }

    enum WriteResult {
        case ok
        /// The reader went away (EPIPE): a normal end for a generator piped into `head` or a crashed consumer.
        case closed
        case failed(Int32)
    }

    /// Writes all of `bytes` to stdout.
    static func writeAll(_ bytes: [UInt8]) -> WriteResult {
        switch bytes.withUnsafeBytes({ writeFully(STDOUT_FILENO, $0) }) {
        case 0: .ok
        case EPIPE: .closed
        case let code: .failed(code)
        }
    }

    static func fail(_ code: Int32) -> Int32 {
        var message = "Error: cannot write to stdout: \(String(cString: strerror(code)))\n"
        _ = message.withUTF8 { writeFully(STDERR_FILENO, UnsafeRawBufferPointer($0)) }
        return 1
    }

    static func sleepNanos(_ ns: Int64) {
        var request = timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
        var remaining = timespec()
        _ = nanosleep(&request, &remaining)
    }
}
