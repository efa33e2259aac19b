-- CreateIndex
CREATE INDEX "Service_hostId_idx" ON "Service"("hostId");

-- CreateIndex
CREATE INDEX "Deployment_hostId_idx" ON "Deployment"("hostId");

