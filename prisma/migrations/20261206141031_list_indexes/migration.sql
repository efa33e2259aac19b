-- DropIndex
DROP INDEX "Host_teamId_idx";

-- CreateIndex
CREATE INDEX "Host_teamId_name_idx" ON "Host"("teamId", "name");

-- CreateIndex
CREATE INDEX "Container_hostId_name_idx" ON "Container"("hostId", "name");

