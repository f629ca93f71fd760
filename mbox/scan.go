package mbox

// scanBlock is how many bytes scanAfterLF looks at a time.
const scanBlock = 32
