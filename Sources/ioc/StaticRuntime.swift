// Release builds link the Swift runtime and Foundation into `ioc` statically (`staticRuntime` in Package.swift).
// Compiled that way, this import is what makes the executable's objects ask the linker for the static libraries
// Foundation itself needs (CoreFoundation and the rest), which IOCRuntime's objects, built for dynamic linking,
// do not name.
import Foundation
