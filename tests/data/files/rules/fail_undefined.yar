rule Broken_Undefined {
	condition:
		no_such_identifier and filesize < 10
}
