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
