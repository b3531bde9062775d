rule Generic_Temp_Script_Test {
	meta:
		description = "Script in a temp folder"
		score = 40
	strings:
		$a = "TEMP_SCRIPT_MARKER"
	condition:
		$a and filepath contains "tmpdir"
}
