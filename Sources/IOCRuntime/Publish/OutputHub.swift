import IOCCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `ioc run` writes: snapshots, the latest snapshot, alerts, dead letters, routed lines, summaries.
///
/// The aggregator calls it on its own thread, so nothing here is shared.
public final class OutputHub: AggregatorOutput {
    public var snapshots: FileSink?
    public var latest: LatestFileSink?
    public var alerts: FileSink?
    public var deadLetters: FileSink?
    /// `--dispatch PATH`; with `{route}` in PATH one file per route, opened on first use.
    public var dispatchPattern: String?
    private var dispatchSinks: [ExactString: FileSink] = [:]
    /// Human lines on stderr (`--summary`).
    public var summaries: FileSink?
    /// Subscribers of `--publish` (set by the live runtime).
    public var publish: ((UnsafeRawBufferPointer) -> Void)?
    public private(set) var dispatchFailure: IOFailure?
    private var otherFailure: IOFailure?

    /// Keeps a failure of an output the hub does not own (the first one wins).
    public func recordFailure(_ f: IOFailure) {
        if otherFailure == nil { otherFailure = f }
    }

    public init() {}

    public var wantsDispatch: Bool { dispatchPattern != nil }
    public var wantsDeadLetters: Bool { deadLetters != nil }
    public var wantsSummaries: Bool { summaries != nil }

    public func snapshot(_ json: UnsafeRawBufferPointer, final: Bool) {
        if let snapshots {
            snapshots.writeLine(json)
            snapshots.flush()
        }
        latest?.replace(with: json)
        publish?(json)
    }

    public func alert(_ json: UnsafeRawBufferPointer) {
        alerts?.writeLine(json)
    }

    public func deadLetter(_ json: UnsafeRawBufferPointer) {
        deadLetters?.writeLine(json)
    }

    /// Routes whose `{route}` file could not be created: their lines are dropped and the run ends with exit 1,
    /// while every other route's lines still go out (one agency's missing folder must not stop the fire
    /// brigade's dispatch).
    private var failedRoutes: Set<ExactString> = []

    public func dispatch(route: String, line: UnsafeRawBufferPointer) {
        guard let pattern = dispatchPattern else { return }
        // Routes by their bytes: two spellings of one name (NFC, NFD) are two files' names to the file system.
        let key = ExactString(pattern.contains("{route}") ? route : "")
        if let sink = dispatchSinks[key] {
            sink.writeLine(line)
            return
        }
        guard !failedRoutes.contains(key) else { return }
        let path = key.string.isEmpty ? pattern : pattern.replacingAll("{route}", with: OutputHub.safeFileName(route))
        do {
            let sink = try FileSink(path: path)
            dispatchSinks[key] = sink
            sink.writeLine(line)
        } catch {
            failedRoutes.insert(key)
            if dispatchFailure == nil { dispatchFailure = error }
            IOCLog.write("ioc: --dispatch: cannot write \(error); this route's lines are dropped, the others go on")
        }
    }

    public func summary(_ line: String) {
        summaries?.writeLine(line)
        summaries?.flush()
    }

    /// Flushes every sink (end of run, or after each batch for live inputs).
    public func flush() {
        snapshots?.flush()
        alerts?.flush()
        deadLetters?.flush()
        summaries?.flush()
        for sink in dispatchSinks.values { sink.flush() }
    }

    /// The first output failure, if any (the run then exits 1).
    public var failure: IOFailure? {
        otherFailure ?? snapshots?.failure ?? latest?.failure ?? alerts?.failure ?? deadLetters?.failure
            ?? dispatchFailure
            ?? dispatchSinks.values.lazy.compactMap(\.failure).first
    }

    /// A route name made safe for a file name: every `/` and NUL byte becomes `_` (by bytes: a `/` followed by a
    /// combining mark is one `Character` that is not `"/"`, and would still cut the path).
    static func safeFileName(_ route: String) -> String {
        String(decoding: route.utf8.map { $0 == 0x2F || $0 == 0 ? 0x5F : $0 }, as: UTF8.self)
    }
}

extension String {
    /// Every occurrence of `target` replaced (without Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
