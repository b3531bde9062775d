rule Broken_Syntax {
	strings:
		$a = "unterminated
	condition:
		$a
}
