/* An APT-style rule with signature-base metadata; the group is named only in
 * the description and the rule name. */
rule APT_Lazarus_Dropper_Test : dropper {
	meta:
		author = "aptscope tests"
		description = "Detects a Lazarus Group dropper stub"
		reference = "https://example.org/report/lazarus"
		date = "2024-03-01"
		score = 85
		mitre_attack = "T1204.002, T1105"
	strings:
		$s1 = "LZ_DROPPER_STAGE1" ascii
		$s2 = { 4D 5A 90 00 }
	condition:
		$s1 and ($s2 at 0 or filetype == "EXE" or extension == ".bin")
}
