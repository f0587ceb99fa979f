// swift-tools-version: 6.0
import PackageDescription

/// Release builds skip the run-time exclusivity checks on the hot path: the aggregator's state is touched by one
/// thread only (see STYLE.md), and the checks cost more than the work itself. Debug builds (tests) keep them.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

/// Release builds of `ioc` link the Swift runtime and Foundation statically (Linux): no dynamic relocation of
/// their symbols at start (about 10 ms), and direct calls into the runtime on the hot path (its retain/release and
/// uniqueness checks) instead of calls through the PLT: −9 % CPU time on the 302 MB feed, interleaved runs. Only
/// the executable is built for it (its `StaticRuntime.swift` imports Foundation, so its objects ask for the static
/// libraries Foundation needs): the libraries stay as they were for whoever links them.
let staticRuntime: [SwiftSetting] = [
    .unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))
]
let staticRuntimeLink: [LinkerSetting] = [
    .unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))
]

/// ioc-stream depends on the Swift toolchain only: stdlib, Foundation, Dispatch, Synchronization, Glibc.
let package = Package(
    name: "ioc-stream",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ioc", targets: ["ioc"]),
        .library(name: "IOCCore", targets: ["IOCCore"]),
        .library(name: "IOCRuntime", targets: ["IOCRuntime"]),
    ],
    targets: [
        .target(name: "IOCCore", swiftSettings: hotPath),
        .target(name: "IOCRuntime", dependencies: ["IOCCore"], swiftSettings: hotPath),
        .executableTarget(
            name: "ioc", dependencies: ["IOCRuntime", "IOCCore"], swiftSettings: staticRuntime,
            linkerSettings: staticRuntimeLink),
        .target(name: "IOCTestSupport", dependencies: ["IOCCore", "IOCRuntime"]),
        .testTarget(name: "IOCCoreTests", dependencies: ["IOCCore", "IOCTestSupport"]),
        .testTarget(name: "IOCRuntimeTests", dependencies: ["IOCRuntime", "IOCTestSupport"]),
        .testTarget(name: "iocTests", dependencies: ["IOCTestSupport", "IOCCore", "IOCRuntime"]),
    ]
)
