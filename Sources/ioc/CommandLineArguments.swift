/// A minimal argument scanner with swift-argument-parser's conventions: `--name value`, `--name=value`,
/// flags, positionals, `--` ending options, `-h/--help` anywhere.
struct ArgumentScanner {
    private var args: [String]
    private var index = 0
    private var optionsEnded = false

    init(_ args: [String]) { self.args = args }

    enum Item: Equatable {
        case option(String, inlineValue: String?)
        case positional(String)
    }

    /// The next option or positional, or nil at the end.
    mutating func next() -> Item? {
        guard index < args.count else { return nil }
        let a = args[index]
        index += 1
        if optionsEnded || a == "-" || !a.hasPrefix("-") { return .positional(a) }
        if a == "--" {
            optionsEnded = true
            return next()
        }
        if let eq = a.firstIndex(of: "="), a.hasPrefix("--") {
            return .option(String(a[..<eq]), inlineValue: String(a[a.index(after: eq)...]))
        }
        return .option(a, inlineValue: nil)
    }

    /// Walks every argument: positionals go to `positional` (an error by default), options to `option`, which
    /// returns false for a name it does not know. Returns false when `-h`/`--help` was given (the caller prints
    /// its help and exits 0).
    mutating func forEachOption(
        positional: (String) throws(CLIError) -> Void = { (p) throws(CLIError) in
            throw CLIError("Unexpected argument '\(p)'")
        },
        _ option: (String, String?, inout ArgumentScanner) throws(CLIError) -> Bool
    ) throws(CLIError) -> Bool {
        while let item = next() {
            switch item {
            case .positional(let p):
                try positional(p)
            case .option(let name, let inline):
                if name == "-h" || name == "--help" { return false }
                guard try option(name, inline, &self) else { throw CLIError("Unknown option '\(name)'") }
            }
        }
        return true
    }

    /// The value of an option: its `=value`, or the next argument.
    mutating func value(for name: String, inline: String?) throws(CLIError) -> String {
        if let inline { return inline }
        guard index < args.count, !(args[index].hasPrefix("--") && args[index].count > 2) else {
            throw CLIError("Missing value for '\(name)'")
        }
        index += 1
        return args[index - 1]
    }
}

/// A usage error: printed with the command's usage, exit 64.
struct CLIError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
