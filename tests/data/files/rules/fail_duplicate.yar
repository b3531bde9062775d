/* Compiles alone, but its name is taken by apt_lazarus.yar. */
rule APT_Lazarus_Dropper_Test {
	condition:
		false
}
