#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

exit(IOCCommand.main(Array(CommandLine.arguments.dropFirst())))
