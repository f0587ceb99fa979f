/// Time arithmetic that stays in range: every `ts` the parser accepts is a valid `Int64` of nanoseconds (years
/// 1677–2262), and so is every duration, but a window's bounds, the watermark (`ts` − lateness) or a due time
/// (`ts` + SLA) near either end of that range would not be. They stop at the end instead: a window that starts
/// before 1677 starts at the earliest instant, a due time past 2262 is never reached.
extension Int64 {
    /// `self + other`, or `.max` / `.min` where the sum leaves the range.
    @inline(__always)
    public func saturatingAdding(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    /// `self - other`, or `.max` / `.min` where the difference leaves the range.
    @inline(__always)
    public func saturatingSubtracting(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other > 0 ? .min : .max) : difference
    }

    /// `self * other`, or `.max` / `.min` where the product leaves the range.
    @inline(__always)
    public func saturatingMultiplied(by other: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? ((self < 0) == (other < 0) ? .max : .min) : product
    }
}
