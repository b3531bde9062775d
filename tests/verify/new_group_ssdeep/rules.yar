rule HackTool_Stock_Dumper
{
    meta:
        description = "Stock credential dumper binary"
        malware = "Mimikatz"
    strings:
        $a = "sekurlsa-stock-marker"
    condition:
        $a
}

rule Odd_Loader_Stub
{
    meta:
        description = "Unusual loader stub"
    strings:
        $b = "qzv-loader-stub-7731"
    condition:
        $b
}
